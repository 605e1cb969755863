namespace SelfSup.Experiments;

/// <summary>Progress of a whole sweep (cost-weighted fraction and the estimated time left).</summary>
public sealed record SweepProgress(int Done, int Total, int Failed, double Fraction, double ElapsedSeconds, double? EtaSeconds, string Current);
