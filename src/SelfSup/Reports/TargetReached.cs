namespace SelfSup.Reports;

/// <summary>When a run first reached a target accuracy: pretraining seconds (evaluation excluded; wall-clock or CPU, see <see cref="TimeAxis"/>), epoch, images seen.</summary>
public sealed record TargetReached(double Seconds, int Epoch, long ImagesSeen);
