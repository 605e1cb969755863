using System.Text.Json.Nodes;
using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>
/// Groups runs into configurations: runs whose settings differ only in <see cref="GroupIgnore"/> (the seed
/// and operational settings) are seeds of one configuration, aggregated as mean ± sample std
/// (<see cref="Stat"/>). Also the labels that name a configuration by what varies.
/// </summary>
public static class RunGroups
{
    /// <summary>Settings that do not define a configuration: runs differing only in these are seeds of one cell.</summary>
    public static readonly HashSet<string> GroupIgnore =
        ["seed", "threads", "log_every", "device", "data_dir", "eval_every", "eval_probe_epochs", "eval_images", "time_budget_minutes"];

    /// <summary>Groups runs by all settings except <see cref="GroupIgnore"/>; labels name the settings that vary between groups.</summary>
    public static List<RunGroup> Group(IReadOnlyList<RunRecord> runs)
    {
        var byKey = new List<(JsonObject Settings, List<RunRecord> Runs)>();
        foreach (var run in runs)
        {
            var settings = ConfigComparison.Semantic(run.Config, GroupIgnore);
            var index = byKey.FindIndex(g => JsonNode.DeepEquals(g.Settings, settings));
            if (index < 0) byKey.Add((settings, [run]));
            else byKey[index].Runs.Add(run);
        }
        var varying = ConfigComparison.VaryingKeys(byKey.Select(g => g.Settings).ToList());
        return byKey.Select(g => new RunGroup(Label(g.Settings, varying), g.Settings, g.Runs.OrderBy(r => r.Config.Seed).ToList())).ToList();
    }

    /// <summary>A readable label from the given keys, e.g. "d = 64, β = c/d (c = 4), M = 2".</summary>
    public static string Label(JsonObject settings, IEnumerable<string> keys)
    {
        var parts = new List<string>();
        foreach (var key in keys)
        {
            string v = ConfigComparison.Display(settings[key]);
            parts.Add(key switch
            {
                "proj_dim" => $"d = {v}",
                "beta" => v == "auto" ? $"β = c/d (c = {ConfigComparison.Display(settings["beta_c"])})" : $"fixed β = {v}",
                "beta_c" => $"c = {v}",
                "views" => $"M = {v}",
                "fraction" => $"fraction {v}",
                "method" => v,
                _ => $"{key} = {v}",
            });
        }
        return parts.Count == 0 ? "all runs" : string.Join(", ", parts);
    }

    /// <summary>A compact label for chart annotations, e.g. "d64 β=c/d M4 f0.5".</summary>
    public static string ShortLabel(JsonObject settings, IEnumerable<string> keys) => string.Join(" ", keys.Select(key =>
    {
        string v = ConfigComparison.Display(settings[key]);
        return key switch
        {
            "proj_dim" => $"d{v}", "beta" => v == "auto" ? "β=c/d" : $"β={v}", "beta_c" => $"c{v}", "views" => $"M{v}",
            "fraction" => $"f{v}", "method" => v, _ => $"{key}={v}",
        };
    }));

    /// <summary>The headline settings every configuration shares (shown once at the top of the report).</summary>
    public static Dictionary<string, string> SharedSettings(IReadOnlyList<RunGroup> groups)
    {
        string[] show = ["dataset", "model", "width", "method", "proj_dim", "beta", "beta_c", "views", "fraction", "epochs", "steps", "batch_size", "optimizer", "lr"];
        var result = new Dictionary<string, string>();
        foreach (var key in show)
        {
            var first = groups[0].Settings[key];
            if (groups.All(g => JsonNode.DeepEquals(g.Settings[key], first))) result[key] = ConfigComparison.Display(first);
        }
        return result;
    }
}
