using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace SelfSup.Reports;

/// <summary>
/// The report's PNG charts (ScottPlot 5). Every chart has a title, labelled axes with units, a legend and
/// a grid. Log axes are drawn by plotting log10 values with ticks labelled in the original units.
/// </summary>
public static class Plots
{
    public const int Width = 900, Height = 560;

    /// <summary>Lines with markers and optional error bars.</summary>
    /// <param name="path">PNG file to write.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xLabel">x-axis label, with units.</param>
    /// <param name="yLabel">y-axis label, with units.</param>
    /// <param name="series">The lines.</param>
    /// <param name="xTicks">Tick positions and labels for x (null: automatic).</param>
    /// <param name="logY">Plot log10 of y, ticks labelled in the original units.</param>
    /// <param name="yRange">Keep the y axis inside this range (e.g. 0–100 for accuracies, whose error bars may reach past it).</param>
    public static void SaveLines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        AxisTicks? xTicks = null, bool logY = false, (double Min, double Max)? yRange = null)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var s in series)
        {
            var color = palette.GetColor(i++);
            var ys = logY ? s.Y.Select(Log10).ToArray() : s.Y;
            var scatter = plot.Add.Scatter(s.X, ys, color);
            scatter.LegendText = s.Label;
            scatter.MarkerSize = s.X.Length > 60 ? 0 : 7;
            scatter.LineWidth = s.Line ? 2 : 0;
            if (s.YError is { } err && !logY && err.Any(e => e > 0))
            {
                var bars = plot.Add.ErrorBar(s.X, ys, err);
                bars.Color = color;
            }
        }
        if (xTicks is not null) plot.Axes.Bottom.TickGenerator = Manual(xTicks);
        if (logY) plot.Axes.Left.TickGenerator = LogTicks(series.SelectMany(s => s.Y).Where(v => v > 0));
        if (yRange is { } range && series.Count > 0)
        {
            plot.Axes.AutoScale();
            var limits = plot.Axes.GetLimits();
            plot.Axes.SetLimitsY(Math.Max(range.Min, limits.Bottom), Math.Min(range.Max, limits.Top));
        }
        Save(plot, path, series.Count > 0);
    }

    /// <summary>A log–log chart (both axes log10) of positive values.</summary>
    public static void SaveLogLog(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var s in series)
        {
            var keep = Enumerable.Range(0, s.X.Length).Where(k => s.X[k] > 0 && s.Y[k] > 0).ToArray();
            var scatter = plot.Add.Scatter(keep.Select(k => Math.Log10(s.X[k])).ToArray(), keep.Select(k => Math.Log10(s.Y[k])).ToArray(), palette.GetColor(i++));
            scatter.LegendText = s.Label;
            scatter.MarkerSize = s.Line ? 0 : 5;
            scatter.LineWidth = s.Line ? 2 : 0;
            if (s.Line && s.Label.StartsWith("fit")) scatter.LinePattern = LinePattern.Dashed;
        }
        plot.Axes.Bottom.TickGenerator = LogTicks(series.SelectMany(s => s.X).Where(v => v > 0));
        plot.Axes.Left.TickGenerator = LogTicks(series.SelectMany(s => s.Y).Where(v => v > 0));
        Save(plot, path, series.Count > 0);
    }

    /// <summary>Bars with ± error whiskers and a label under each bar.</summary>
    public static void SaveBars(string path, string title, string xLabel, string yLabel, string legend,
        IReadOnlyList<string> labels, IReadOnlyList<double> values, IReadOnlyList<double> errors)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var bars = Enumerable.Range(0, values.Count).Select(i => new Bar
        {
            Position = i, Value = values[i], Error = errors[i], FillColor = new ScottPlot.Palettes.Category10().GetColor(0),
            Label = values[i].ToString("F1", CultureInfo.InvariantCulture),
        }).ToList();
        var barPlot = plot.Add.Bars(bars);
        barPlot.LegendText = legend;
        barPlot.ValueLabelStyle.FontSize = 13;
        plot.Axes.Bottom.TickGenerator = Manual(new AxisTicks(Enumerable.Range(0, labels.Count).Select(i => (double)i).ToArray(), [.. labels]));
        double top = values.Count == 0 ? 100 : values.Zip(errors, (v, e) => v + e).Max();
        plot.Axes.SetLimitsY(0, Math.Min(105, top * 1.1 + 1));
        Save(plot, path, values.Count > 0);
    }

    /// <summary>Points (error vs cost) with their labels, the Pareto frontier drawn as a step line through its points.</summary>
    public static void SavePareto(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Label, double X, double Y, double XError, double YError)> points, IReadOnlyList<int> frontier)
    {
        var plot = NewPlot(title, xLabel, yLabel);
        var palette = new ScottPlot.Palettes.Category10();
        var all = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), palette.GetColor(0));
        all.LineWidth = 0;
        all.MarkerSize = 9;
        all.LegendText = "configuration (mean over seeds, ± spread)";
        if (points.Any(p => p.YError > 0 || p.XError > 0))
        {
            var eb = new ScottPlot.Plottables.ErrorBar(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(),
                points.Select(p => p.XError).ToArray(), points.Select(p => p.XError).ToArray(),
                points.Select(p => p.YError).ToArray(), points.Select(p => p.YError).ToArray()) { Color = palette.GetColor(0) };
            plot.Add.Plottable(eb);
        }
        if (frontier.Count > 0)
        {
            var f = frontier.Select(i => points[i]).OrderBy(p => p.X).ToArray();
            // step line: from each frontier point go right to the next one's cost, then down to its error
            var xs = new List<double>(); var ys = new List<double>();
            for (int k = 0; k < f.Length; k++)
            {
                if (k > 0) { xs.Add(f[k].X); ys.Add(f[k - 1].Y); }
                xs.Add(f[k].X); ys.Add(f[k].Y);
            }
            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), palette.GetColor(3));
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LegendText = "Pareto frontier (no other point is both faster and more accurate)";
            var marks = plot.Add.Scatter(f.Select(p => p.X).ToArray(), f.Select(p => p.Y).ToArray(), palette.GetColor(3));
            marks.LineWidth = 0;
            marks.MarkerSize = 14;
            marks.MarkerShape = MarkerShape.OpenCircle;
            marks.LegendText = "on the frontier";
        }
        // Only the frontier's points are named (every configuration is in the report's table): labels of
        // the dominated cloud overlap each other.
        foreach (var p in frontier.Select(i => points[i]))
        {
            var text = plot.Add.Text(p.Label, p.X, p.Y);
            text.LabelFontSize = 11;
            text.OffsetX = 6;
            text.OffsetY = -4;
        }
        plot.Axes.Margins(0.3, 0.15);   // room on the right for the slowest point's label
        Save(plot, path, points.Count > 0, Alignment.UpperRight);
    }

    /// <summary>Ticks at whole numbers (epochs): every one when few, else every k-th so at most ~12 are labelled.</summary>
    public static AxisTicks IntegerTicks(IEnumerable<double> values)
    {
        var distinct = values.Select(v => Math.Round(v)).Distinct().Order().ToArray();
        if (distinct.Length == 0) return new AxisTicks([], []);
        int step = Math.Max(1, (int)Math.Ceiling((distinct[^1] - distinct[0] + 1) / 12.0));
        var positions = Enumerable.Range(0, (int)((distinct[^1] - distinct[0]) / step) + 1).Select(k => distinct[0] + k * step).ToArray();
        return new AxisTicks(positions, positions.Select(p => p.ToString("F0", CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>Ticks at the given positions; the 16 · 64 · 256 labels of a log2 axis, for instance.</summary>
    public static AxisTicks Log2Ticks(IEnumerable<double> values)
    {
        var distinct = values.Distinct().Order().ToArray();
        return new AxisTicks(distinct.Select(Math.Log2).ToArray(), distinct.Select(v => v.ToString("G", CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>DejaVu Sans when installed (Debian's fonts-dejavu-core), else ScottPlot's own sans-serif choice.</summary>
    private static readonly string SansFont = File.Exists("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") ? "DejaVu Sans" : Fonts.Sans;

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Font.Set(SansFont);
        plot.Title(title, size: 16);
        plot.XLabel(xLabel, size: 14);
        plot.YLabel(yLabel, size: 14);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        return plot;
    }

    private static void Save(Plot plot, string path, bool hasData, Alignment legendAt = Alignment.LowerRight)
    {
        if (hasData)
        {
            plot.ShowLegend(legendAt);
            plot.Legend.FontSize = 12;
        }
        else
        {
            var text = plot.Add.Text("no data", 0, 0);
            text.LabelFontSize = 16;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Width, Height);
    }

    private static NumericManual Manual(AxisTicks ticks)
    {
        var manual = new NumericManual();
        for (int i = 0; i < ticks.Positions.Length; i++) manual.AddMajor(ticks.Positions[i], ticks.Labels[i]);
        return manual;
    }

    /// <summary>Major ticks at the powers of ten spanned by the (positive) values, minor ticks at 2..9 × 10^k.</summary>
    private static NumericManual LogTicks(IEnumerable<double> values)
    {
        var list = values.ToList();
        var manual = new NumericManual();
        if (list.Count == 0) return manual;
        int lo = (int)Math.Floor(Math.Log10(list.Min())), hi = (int)Math.Ceiling(Math.Log10(list.Max()));
        if (hi == lo) hi = lo + 1;
        int step = Math.Max(1, (hi - lo) / 8);
        for (int k = lo; k <= hi; k++)
        {
            if ((k - lo) % step == 0) manual.AddMajor(k, PowerLabel(k));
            for (int m = 2; m <= 9 && step == 1; m++) manual.AddMinor(k + Math.Log10(m));
        }
        return manual;
    }

    private static string PowerLabel(int k) => k switch
    {
        >= 0 and <= 4 => Math.Pow(10, k).ToString("G", CultureInfo.InvariantCulture),
        -1 => "0.1", -2 => "0.01",
        _ => $"1e{k}",
    };

    private static double Log10(double v) => v > 0 ? Math.Log10(v) : double.NaN;
}
