using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>One run of a sweep: its folder name, the studies it belongs to, and its full configuration.</summary>
public sealed record SweepCell(string Name, IReadOnlyList<string> Studies, TrainConfig Config, IReadOnlyDictionary<string, string> Settings);
