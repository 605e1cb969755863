namespace SelfSup.Reports;

/// <summary>Options of <see cref="Report.Build"/>.</summary>
/// <param name="Target">Target accuracy (%) for the time-to-accuracy table; null = the lowest best accuracy over runs.</param>
/// <param name="Metric">"probe" (linear probe) or "knn": which accuracy the tables and plots use.</param>
/// <param name="OutDir">Where report.md and plots/ go; null = the swept folder itself.</param>
public sealed record ReportOptions(double? Target = null, string Metric = "probe", string? OutDir = null);
