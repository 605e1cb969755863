using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>
/// Paper Fig. 5: test error (100 − accuracy) against pretraining time (CPU seconds when every run compared
/// records them, else wall-clock: <see cref="TimeAxis"/>) for every configuration with a
/// final readout (periodic accuracies are a different protocol and are left out, counted in the text),
/// the Pareto frontier (<see cref="ParetoFrontier"/>) marked; <c>error-vs-runtime-pareto.png</c> and a table.
/// </summary>
public static class ParetoFigure
{
    public const string File = "error-vs-runtime-pareto.png";

    public static void Write(ReportMarkdown md, List<RunGroup> groups)
    {
        var points = new List<(string Label, double X, double Y, double XError, double YError)>();
        var shortLabels = new List<string>();
        var varying = ConfigComparison.VaryingKeys(groups.Select(g => g.Settings).ToList());
        var readout = ReadoutComparison.Choose(groups, md.Metric, finalOnly: true);
        var compared = groups.SelectMany(readout.Counted).ToList();
        var axis = TimeAxis.ForRuns(compared);
        foreach (var g in groups)
        {
            var acc = readout.Of(g);
            var time = Stat.Of(readout.Counted(g).Select(axis.Seconds));
            if (acc is null || time is null) continue;
            points.Add((g.Label, time.Value.Mean, 100 - acc.Value.Mean, time.Value.Std, acc.Value.Std));
            shortLabels.Add(RunGroups.ShortLabel(g.Settings, varying));
        }
        md.Paragraph("## Error vs runtime");
        md.Paragraph(readout.Note());
        if (points.Count == 0) { md.Paragraph("No configuration has both a final readout and a pretraining time yet."); return; }
        var frontier = ParetoFrontier.Indices(points.Select(p => (p.X, p.Y)).ToList());
        Plots.SavePareto(md.PlotPath(File), $"Error vs pretraining {axis.Name}, Pareto frontier marked",
            axis.PlotLabel(compared), $"test error (%) = 100 − {md.MetricName.Replace(" (%)", "")}",
            points.Select((p, i) => p with { Label = shortLabels[i] }).ToList(), frontier);
        md.Paragraph($"Test error against pretraining {axis.Name} (paper Fig. 5). Configurations on the Pareto frontier — no other is both faster and more accurate — are marked ★.");
        md.Paragraph(axis.Describe(compared));
        md.Image(File, "error vs runtime");
        md.Line($"| configuration | {axis.Label} | error (%) | frontier |");
        md.Line("|---|---:|---:|:---:|");
        foreach (int i in Enumerable.Range(0, points.Count).OrderBy(i => points[i].X))
            md.Line($"| {points[i].Label} | {ReportMarkdown.Fmt(points[i].X, points[i].XError, "F1")} | {ReportMarkdown.Fmt(points[i].Y, points[i].YError)} | {(frontier.Contains(i) ? "★" : "")} |");
        md.Line();
    }
}
