using System.Globalization;

namespace SelfSup.Reports;

/// <summary>
/// Paper Fig. 4, for a study where <c>fraction</c> varies: views against unique data. One row and bar per
/// (M, fraction) with M × fraction (views seen per image of the full set per epoch), unique images and
/// images seen; <c>&lt;study&gt;-accuracy-at-equal-views-x-fraction.png</c>.
/// </summary>
public static class ViewsTimesFractionFigure
{
    public static void Write(ReportMarkdown md, List<RunGroup> members, string slug)
    {
        var ordered = members.OrderBy(g => g.Config.Views).ThenByDescending(g => g.Config.Fraction).ToList();
        var readout = ReadoutComparison.Choose(ordered, md.Metric);
        var axis = TimeAxis.ForRuns(ordered.SelectMany(g => g.Runs));
        md.Paragraph("Views against unique data (paper Fig. 4): M views on a fraction of the training images; equal M × fraction means equal views seen per epoch.");
        md.Paragraph(readout.Note());
        md.Line($"| configuration | M | fraction | M × fraction | unique images | images seen | accuracy (%) | {axis.Label} |");
        md.Line("|---|---:|---:|---:|---:|---:|---:|---:|");
        var labels = new List<string>(); var values = new List<double>(); var errors = new List<double>();
        foreach (var g in ordered)
        {
            var acc = readout.Of(g);
            double product = g.Config.Views * g.Config.Fraction;
            md.Line($"| {g.Label} | {g.Config.Views} | {g.Config.Fraction.ToString("G", CultureInfo.InvariantCulture)} | {product.ToString("G4", CultureInfo.InvariantCulture)} | " +
                $"{ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => (double?)r.UniqueImages)), "F0")} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(r => r.ImagesSeen)), "F0")} | " +
                $"{ReportMarkdown.Fmt(acc)} | {ReportMarkdown.Fmt(Stat.Of(g.Runs.Select(axis.Seconds)), "F1")} |");
            if (acc is null) continue;
            labels.Add($"M={g.Config.Views}, {g.Config.Fraction * 100:G3}%");
            values.Add(acc.Value.Mean); errors.Add(acc.Value.Std);
        }
        md.Line();
        string file = $"{slug}-accuracy-at-equal-views-x-fraction.png";
        Plots.SaveBars(md.PlotPath(file), "Accuracy at M × fraction (views × share of training images)",
            "views per image M, share of the training images", md.MetricName, $"{readout.Protocol?.Describe() ?? "no"} readout, mean ± std over seeds", labels, values, errors);
        md.Image(file, "accuracy at equal M x fraction");
    }
}
