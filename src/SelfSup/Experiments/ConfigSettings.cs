using System.Globalization;
using System.Text.Json.Nodes;
using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>
/// The KEY=VALUE settings language shared by sweep files, run-config files and <c>--set</c>: keys are config.json
/// keys (flag spellings such as <c>proj-dim</c> are normalised), values are parsed to the type of the setting.
/// </summary>
public static class ConfigSettings
{
    /// <summary>The config with the given settings (keys as in config.json) applied; validated.</summary>
    public static TrainConfig Apply(TrainConfig baseConfig, IReadOnlyDictionary<string, string> settings, string where)
    {
        var json = JsonNode.Parse(baseConfig.ToJson())!.AsObject();
        foreach (var (key, text) in settings)
        {
            if (!json.ContainsKey(key))
                throw new SelfSupError($"{where}: unknown setting '{Shown(key)}'; use one of: {string.Join(", ", json.Select(p => p.Key))}");
            json[key] = Convert(key, text, json[key], where);
        }
        TrainConfig config;
        try { config = TrainConfig.FromJson(json.ToJsonString(), where); }
        catch (SelfSupError e) { throw new SelfSupError($"{where}: a setting has the wrong type ({e.Message})"); }
        if (config.DataDir is not null) config = config with { DataDir = Path.GetFullPath(config.DataDir) };
        if (config.ClassList is not null) config = config with { ClassList = Path.GetFullPath(config.ClassList) };
        try { config.Validate(); }
        catch (SelfSupError e) { throw new SelfSupError($"{where}: {e.Message}"); }
        return config;
    }

    /// <summary>"proj-dim", "--proj-dim" → "proj_dim"; "time_budget" → "time_budget_minutes".</summary>
    public static string NormaliseKey(string key, string where)
    {
        var k = key.Trim().TrimStart('-').Replace('-', '_').ToLowerInvariant();
        if (k.Length == 0) throw new SelfSupError($"{where}: empty setting name");
        return k == "time_budget" ? "time_budget_minutes" : k;
    }

    /// <summary>Parses "key=value" overrides (from --set).</summary>
    public static Dictionary<string, string> ParseOverrides(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>();
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new SelfSupError($"`set` '{pair}' must be KEY=VALUE, e.g. `set` epochs=1");
            result[NormaliseKey(pair[..eq], "`set`")] = pair[(eq + 1)..].Trim();
        }
        return result;
    }

    private static JsonNode? Convert(string key, string text, JsonNode? template, string where)
    {
        var kind = template?.GetValueKind();
        if (text is "null" or "~" && kind is not System.Text.Json.JsonValueKind.String) return null;
        if (kind == System.Text.Json.JsonValueKind.Array || (template is null && key == "crop_scale"))
            return new JsonArray(text.Split(',').Select(p => (JsonNode?)Number(key, p, where)).ToArray());
        if (kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
            return text.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" => true,
                "false" or "no" or "off" => false,
                _ => throw new SelfSupError($"{where}: {key} must be true or false, not '{Shown(text)}'"),
            };
        if (kind == System.Text.Json.JsonValueKind.Number || (template is null && key is "proj_hidden"))
        {
            if (SettingTypes.TryGetValue(key, out var type) && type == typeof(int)) return JsonValue.Create(Integer(key, text, where, int.MinValue));
            double value = Number(key, text, where);
            return value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);
        }
        return JsonValue.Create(text);
    }

    /// <summary>TrainConfig's settings by config.json key → their type (nullable types unwrapped), to parse whole numbers as such.</summary>
    private static readonly Dictionary<string, Type> SettingTypes = typeof(TrainConfig).GetProperties()
        .ToDictionary(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType);

    private static double Number(string key, string text, string where) =>
        !double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? throw new SelfSupError($"{where}: {key} must be a number, not '{Shown(text)}'")
        : !double.IsFinite(v) ? throw new SelfSupError($"{where}: {key} must be a finite number, not '{Shown(text)}'")
        : v;

    /// <summary>A whole number from <paramref name="min"/> to int.MaxValue (1e3 and 64.0 count; 2.5 and 1e10 do not).</summary>
    internal static int Integer(string key, string text, string where, int min)
    {
        double value = Number(key, text, where);
        if (value != Math.Floor(value) || value < min || value > int.MaxValue)
            throw new SelfSupError($"{where}: {key} must be a whole number from {min} to {int.MaxValue}, not '{Shown(text)}'");
        return (int)value;
    }

    /// <summary>Text as quoted in a one-line message: control characters as '?', at most <paramref name="max"/> characters.</summary>
    internal static string Shown(string text, int max = 60)
    {
        var shown = new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return shown.Length <= max ? shown : shown[..max] + "…";
    }
}
