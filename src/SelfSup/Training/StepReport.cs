namespace SelfSup.Training;

/// <summary>What the trainer reports after every optimiser step (for progress bars).</summary>
public sealed record StepReport(int Epoch, int Epochs, long Step, long TotalSteps, double Loss, double ImagesPerSecond, double ElapsedSeconds);
