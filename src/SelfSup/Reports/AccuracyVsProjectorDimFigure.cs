using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>
/// Paper Fig. 2, for a study where <c>proj_dim</c> varies: accuracy against the projector's output
/// dimension d (log2 axis), one line per β setting (fixed β against β = c/d), mean ± std over seeds;
/// a table (rows d, columns the series) and <c>&lt;study&gt;-accuracy-vs-projector-dim.png</c>.
/// </summary>
public static class AccuracyVsProjectorDimFigure
{
    public static void Write(ReportMarkdown md, List<RunGroup> members, List<string> keys, string slug)
    {
        var seriesKeys = keys.Where(k => k != "proj_dim").ToList();
        var bySeries = members.GroupBy(g => seriesKeys.Count == 0 ? "accuracy (%)" : RunGroups.Label(g.Settings, seriesKeys)).ToList();
        var series = new List<Series>();
        var dims = members.Select(g => (double)g.Config.ProjDim).Distinct().Order().ToList();
        var readout = ReadoutComparison.Choose(members, md.Metric);
        md.Paragraph("Accuracy against the projector's output dimension d (paper Fig. 2): a fixed orthogonality weight β against β = c/d.");
        md.Paragraph(readout.Note());
        md.Line($"| d | {string.Join(" | ", bySeries.Select(s => s.Key))} |");
        md.Line($"|---:|{string.Concat(bySeries.Select(_ => "---:|"))}");
        foreach (var d in dims)
            md.Line($"| {d} | {string.Join(" | ", bySeries.Select(s => ReportMarkdown.Fmt(s.Where(g => g.Config.ProjDim == d).Select(readout.Of).FirstOrDefault())))} |");
        md.Line();
        foreach (var s in bySeries)
        {
            var points = s.OrderBy(g => g.Config.ProjDim).Select(g => (D: (double)g.Config.ProjDim, S: readout.Of(g))).Where(p => p.S is not null).ToList();
            series.Add(new Series(seriesKeys.Count == 0 ? $"β = {ConfigComparison.Display(s.First().Settings["beta"])}" : s.Key, points.Select(p => Math.Log2(p.D)).ToArray(),
                points.Select(p => p.S!.Value.Mean).ToArray(), points.Select(p => p.S!.Value.Std).ToArray()));
        }
        string file = $"{slug}-accuracy-vs-projector-dim.png";
        Plots.SaveLines(md.PlotPath(file), "Accuracy vs projector dimension (mean ± std over seeds)",
            "projector output dimension d (log scale)", md.MetricName, series, Plots.Log2Ticks(dims), yRange: (0, 100));
        md.Image(file, "accuracy vs projector dimension");
    }
}
