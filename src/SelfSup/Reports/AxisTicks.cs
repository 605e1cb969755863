namespace SelfSup.Reports;

/// <summary>Ticks for an axis: positions (in plotted units) and their labels.</summary>
public sealed record AxisTicks(double[] Positions, string[] Labels);
