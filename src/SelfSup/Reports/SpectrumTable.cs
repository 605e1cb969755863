namespace SelfSup.Reports;

/// <summary>The report's spectrum section: α and effective rank of features and embeddings at each run's last periodic evaluation.</summary>
public static class SpectrumTable
{
    public static void Write(ReportMarkdown md, List<RunGroup> groups)
    {
        md.Paragraph("## Spectrum");
        if (!groups.Any(g => g.Runs.Any(r => r.Evals.Count > 0))) { md.Paragraph("No periodic evaluations, so no spectra; run `selfsup spectrum RUN_DIR` on a run."); return; }
        md.Paragraph("Covariance spectra of the test split at the last evaluation: power-law decay α (λ_i ∝ i^−α) and effective rank exp(−Σ p_i log p_i), p = λ/Σλ, " +
            "for backbone features and projector embeddings (`selfsup spectrum RUN_DIR` plots one run's eigenvalues).");
        md.Line("| configuration | α (features) | effective rank (features) | α (embeddings) | effective rank (embeddings) |");
        md.Line("|---|---:|---:|---:|---:|");
        foreach (var g in groups)
        {
            var last = g.Runs.Select(r => r.Evals.LastOrDefault()).Where(e => e is not null).Select(e => e!).ToList();
            md.Line($"| {g.Label} | {ReportMarkdown.Fmt(Stat.Of(last.Select(e => e.Alpha)))} | {ReportMarkdown.Fmt(Stat.Of(last.Select(e => (double?)e.EffectiveRank)), "F1")} | " +
                $"{ReportMarkdown.Fmt(Stat.Of(last.Select(e => e.EmbeddingAlpha)))} | {ReportMarkdown.Fmt(Stat.Of(last.Select(e => (double?)e.EmbeddingEffectiveRank)), "F1")} |");
        }
        md.Line();
    }
}
