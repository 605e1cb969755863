namespace SelfSup.Reports;

/// <summary>
/// The report's first table: every configuration with its accuracies, how they were measured (the
/// "readout" column: each configuration's mean uses one protocol, chosen by <see cref="ReadoutComparison"/>),
/// pretraining time, images seen and spectrum summary.
/// </summary>
public static class ConfigurationsTable
{
    public static void Write(ReportMarkdown md, List<RunGroup> groups)
    {
        md.Paragraph("## All configurations");
        var axis = TimeAxis.ForRuns(groups.SelectMany(g => g.Runs));
        md.Line($"| configuration | n | readout | linear probe top-1 (%) | kNN top-1 (%) | {axis.Label} | images seen | α (features) | effective rank (features) |");
        md.Line("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        bool anyPeriodic = false;
        foreach (var g in groups)
        {
            var probe = ReadoutComparison.Choose([g], "probe");
            var knn = ReadoutComparison.Choose([g], "knn");
            anyPeriodic |= probe.Protocol is { Final: false } || knn.Protocol is { Final: false };
            md.Line($"| {g.Label} | {g.Runs.Count} | {Describe(probe, knn, g.Runs.Count)} | {ReportMarkdown.Fmt(probe.Of(g))} | {ReportMarkdown.Fmt(knn.Of(g))} | " +
                $"{ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(axis.Seconds)), "F1")} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.ImagesSeen)), "F0")} | " +
                $"{ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.Evals.LastOrDefault()?.Alpha)))} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => (double?)r.Evals.LastOrDefault()?.EffectiveRank)), "F1")} |");
        }
        md.Line();
        if (anyPeriodic)
            md.Paragraph("*Readout*: **final** is the readout after pretraining (summary.json: `probe_epochs` epochs on every training image); " +
                "**periodic** is a run's last periodic evaluation (evals.jsonl: the short `eval_probe_epochs` probe, possibly on `eval_images` " +
                "training images), shown only for configurations without a final readout. The two are different protocols: the comparisons below " +
                "never mix them, and the Pareto plot uses final readouts only.");
    }

    /// <summary>"final (200-epoch probe)"; the kNN protocol when it is of another kind; the seeds left out of the mean.</summary>
    private static string Describe(ReadoutComparison probe, ReadoutComparison knn, int runs)
    {
        string text = probe.Protocol?.Describe() ?? "—";
        if (knn.Protocol is { } k && (probe.Protocol is null || k.Final != probe.Protocol.Value.Final)) text = $"probe {text}, kNN {k.Describe()}";
        int leftOut = Math.Max(probe.RunsLeftOut, knn.RunsLeftOut);
        return leftOut > 0 ? $"{text}; {leftOut} of {runs} seeds without it left out" : text;
    }
}
