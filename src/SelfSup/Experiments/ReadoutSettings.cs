namespace SelfSup.Experiments;

/// <summary>How each cell of a sweep is read out after pretraining (the full probe, not the periodic one).</summary>
public sealed record ReadoutSettings(int ProbeEpochs = 200, int AverageViews = 1, bool Knn = true);
