using SelfSup.Models;
using SelfSup.Training;

namespace SelfSup.Evaluation;

/// <summary>Options of <see cref="Readout.Run"/>.</summary>
public sealed record ReadoutOptions(int ProbeEpochs = 200, int AverageViews = 1, bool Baselines = false, bool Knn = true,
    int BatchSize = 512, string? Checkpoint = null, string? Precision = null);
