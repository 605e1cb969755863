using SelfSup.Evaluation;
using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>
/// What <c>cell.json</c> holds: everything a process needs to run one cell on its own, and (written by
/// <see cref="SweepRunner.Execute"/>) each stretch of its running with what ran beside it.
/// </summary>
public sealed record CellSpec
{
    public required string Name { get; init; }
    public required string[] Studies { get; init; }
    public required Dictionary<string, string> Settings { get; init; }
    public required TrainConfig Config { get; init; }
    public required ReadoutSettings Readout { get; init; }
    public List<CellSession> Sessions { get; init; } = [];
}
