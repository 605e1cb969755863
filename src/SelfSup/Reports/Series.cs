namespace SelfSup.Reports;

/// <summary>One line of a chart: points, optional ± error bars on y, and its legend text.</summary>
public sealed record Series(string Label, double[] X, double[] Y, double[]? YError = null, bool Line = true);
