using System.Globalization;
using System.Text;
using SelfSup.Evaluation;

namespace SelfSup.Reports;

/// <summary>
/// The report being written: its Markdown text, the folder its plots go to and the plots written so far,
/// and the accuracy it reports (<c>metric</c>: probe or knn). Each section and figure writes into one of these.
/// </summary>
public sealed class ReportMarkdown(string plotDir, string metric)
{
    private readonly StringBuilder text = new();
    private readonly List<string> plots = [];

    /// <summary>"probe" or "knn".</summary>
    public string Metric => metric;

    /// <summary>The accuracy's name with its unit, for axes and prose.</summary>
    public string MetricName => metric == "knn" ? "kNN top-1 accuracy (%)" : "linear-probe top-1 accuracy (%)";

    /// <summary>The accuracy of one periodic evaluation.</summary>
    public Func<EvalRecord, double?> EvalMetric => Report.Metric(metric);

    public IReadOnlyList<string> Plots => plots;

    public ReportMarkdown Line(string line = "")
    {
        text.AppendLine(line);
        return this;
    }

    /// <summary>A line followed by a blank line.</summary>
    public ReportMarkdown Paragraph(string line) => Line(line).Line();

    /// <summary>Where a plot named <paramref name="file"/> goes.</summary>
    public string PlotPath(string file) => Path.Combine(plotDir, file);

    /// <summary>Embeds a plot written to <see cref="PlotPath"/> and lists it among the report's plots.</summary>
    public void Image(string file, string alt)
    {
        plots.Add(PlotPath(file));
        Paragraph($"![{alt}](plots/{file})");
    }

    public override string ToString() => text.ToString();

    /// <summary>"mean ± std" over seeds, or "—" when there is no value.</summary>
    public static string Fmt(Stat? s, string format = "F2") => s is null ? "—" : s.Value.Format(format);

    /// <summary>"mean ± std", just the mean when std is 0.</summary>
    public static string Fmt(double mean, double std, string format = "F2") =>
        std > 0 ? $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}" : mean.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A file-name-safe form of a study's name ("views" → "views").</summary>
    public static string Slug(string name) =>
        new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-') is { Length: > 0 } s ? s : "study";
}
