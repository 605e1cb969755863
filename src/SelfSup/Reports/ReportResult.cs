namespace SelfSup.Reports;

/// <summary>What <see cref="Report.Build"/> wrote.</summary>
public sealed record ReportResult(string MarkdownPath, IReadOnlyList<string> Plots, int Runs, int Configurations, double? Target);
