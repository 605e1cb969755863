namespace SelfSup.Reports;

/// <summary>One run's accuracy (%) and the protocol that measured it.</summary>
public readonly record struct AccuracyReading(double Value, ReadoutProtocol Protocol);
