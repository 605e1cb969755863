using SelfSup.Training;

namespace SelfSup.Evaluation;

/// <summary>Top-1 accuracies (%) of a run's encoder and, when asked, of the two baselines.</summary>
public sealed record ReadoutResult(double ProbeTop1, double? KnnTop1, double? PixelsTop1, double? RandomTop1, double Seconds, string Checkpoint);
