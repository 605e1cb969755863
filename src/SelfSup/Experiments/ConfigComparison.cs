using System.Globalization;
using System.Text.Json.Nodes;
using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>Configs compared as config.json objects: what differs between runs, and how a value reads in a name or a table.</summary>
public static class ConfigComparison
{
    /// <summary>Settings that do not change what a run learns; ignored when cells are compared or grouped.</summary>
    public static readonly HashSet<string> OperationalKeys = ["threads", "log_every", "device"];

    /// <summary>The order varying settings are named and shown in (then the rest alphabetically, seed last).</summary>
    private static readonly string[] NameOrder = ["method", "proj_dim", "beta", "beta_c", "views", "fraction"];

    /// <summary>config.json as a JSON object without <paramref name="ignore"/>d keys (for comparing and grouping).</summary>
    public static JsonObject Semantic(TrainConfig config, IReadOnlySet<string> ignore)
    {
        var json = JsonNode.Parse(config.ToJson())!.AsObject();
        foreach (var key in ignore) json.Remove(key);
        return json;
    }

    /// <summary>Keys whose value is not the same in every object, in a readable order (seed last).</summary>
    public static List<string> VaryingKeys(IReadOnlyList<JsonObject> objects)
    {
        if (objects.Count < 2) return [];
        var keys = objects[0].Select(p => p.Key).Where(k => objects.Any(o => !JsonNode.DeepEquals(o[k], objects[0][k]))).ToList();
        return keys.OrderBy(k => k == "seed" ? 2 : Array.IndexOf(NameOrder, k) is var i && i >= 0 ? 0 : 1)
            .ThenBy(k => Array.IndexOf(NameOrder, k)).ThenBy(k => k, StringComparer.Ordinal).ToList();
    }

    /// <summary>A short value text: numbers in invariant culture, strings bare, null as "none".</summary>
    public static string Display(JsonNode? node) => node switch
    {
        null => "none",
        JsonValue v when v.TryGetValue<double>(out var d) => d.ToString("G", CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonArray a => string.Join(",", a.Select(Display)),
        _ => node.ToJsonString(),
    };
}
