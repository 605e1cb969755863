namespace SelfSup.Training;

/// <summary>The points of a step <see cref="TrainingStep.OnPhase"/> is called at (for the benchmark's phase times).</summary>
public enum StepPhase { ForwardAndLoss, Backward, Optimizer }
