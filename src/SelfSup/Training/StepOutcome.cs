namespace SelfSup.Training;

/// <summary>What one training step reports: the loss and the embeddings' spread (<see cref="CollapseMonitor"/>).</summary>
public readonly record struct StepOutcome(double Loss, double Spread);
