namespace SelfSup.Experiments;

/// <summary>The report's first table: every configuration with its accuracies, pretraining time, images seen and spectrum summary.</summary>
public static class ConfigurationsTable
{
    public static void Write(ReportMarkdown md, List<RunGroup> groups)
    {
        md.Paragraph("## All configurations");
        md.Line("| configuration | n | linear probe top-1 (%) | kNN top-1 (%) | pretraining time (s) | images seen | α (features) | effective rank (features) |");
        md.Line("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in groups)
        {
            md.Line($"| {g.Label} | {g.Runs.Count} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.Final("probe"))))} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.Final("knn"))))} | " +
                $"{ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.PretrainSeconds)), "F1")} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.ImagesSeen)), "F0")} | " +
                $"{ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.Evals.LastOrDefault()?.Alpha)))} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => (double?)r.Evals.LastOrDefault()?.EffectiveRank)), "F1")} |");
        }
        md.Line();
    }
}
