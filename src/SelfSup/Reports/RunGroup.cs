using System.Text.Json.Nodes;
using SelfSup.Training;

namespace SelfSup.Reports;

/// <summary>Runs that differ only in their seed (and operational settings): one configuration of a study.</summary>
public sealed record RunGroup(string Label, JsonObject Settings, IReadOnlyList<RunRecord> Runs)
{
    public TrainConfig Config => Runs[0].Config;
    public IEnumerable<string> Studies => Runs.SelectMany(r => r.Studies).Distinct();
}
