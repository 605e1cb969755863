using System.Globalization;
using System.Text.Json.Nodes;
using SelfSup.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SelfSup.Experiments;

/// <summary>How each cell of a sweep is read out after pretraining (the full probe, not the periodic one).</summary>
public sealed record ReadoutSettings(int ProbeEpochs = 200, int AverageViews = 1, bool Knn = true);

/// <summary>
/// One study of a sweep: settings shared by its cells (<see cref="Fixed"/>), a cartesian <see cref="Grid"/>
/// and lists varied together (<see cref="Zip"/>, all of one length). Cells = grid × zip rows.
/// </summary>
public sealed record SweepStudy(string Name, IReadOnlyDictionary<string, string> Fixed,
    IReadOnlyList<KeyValuePair<string, string[]>> Grid, IReadOnlyList<KeyValuePair<string, string[]>> Zip);

/// <summary>One run of a sweep: its folder name, the studies it belongs to, and its full configuration.</summary>
public sealed record SweepCell(string Name, IReadOnlyList<string> Studies, TrainConfig Config, IReadOnlyDictionary<string, string> Settings);

/// <summary>
/// A sweep file (YAML). Accepted format — maps, lists and scalars only:
/// <code>
/// name: projector            # optional title
/// fixed:                     # settings every cell shares: TrainConfig keys (proj_dim) or flag names (proj-dim)
///   epochs: 3
///   width: 8
///   eval_every: 1
/// grid:                      # cartesian product over these lists (a scalar counts as a one-item list)
///   proj_dim: [16, 64, 256, 1024]
///   beta: [0.0004, auto]     # a number, or auto (= c/d)
///   seed: [0, 1]
/// zip:                       # lists of equal length varied together (M × fraction held constant)
///   views: [2, 4, 8]
///   fraction: [1, 0.5, 0.25]
/// readout:                   # the final linear readout of each cell
///   probe_epochs: 50
///   average_views: 1
///   knn: true
/// studies:                   # optional: several grids in one sweep; each may have its own name/fixed/grid/zip,
///   - name: views            # applied on top of the top-level ones (so a top-level seed list applies to all)
///     grid: {views: [2, 4, 8]}
/// </code>
/// Cells that come out identical in several studies are run once. Relative <c>data_dir</c>/<c>class_list</c>
/// paths are resolved against the current directory.
/// </summary>
public sealed class SweepConfig
{
    public string Name { get; init; } = "sweep";
    public IReadOnlyDictionary<string, string> Fixed { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<SweepStudy> Studies { get; init; } = [];
    public ReadoutSettings Readout { get; init; } = new();
    /// <summary>Settings forced on every cell (<c>--set KEY=VALUE</c>), applied after fixed, grid and zip.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings that do not change what a run learns; ignored when cells are compared or grouped.</summary>
    public static readonly HashSet<string> OperationalKeys = ["threads", "log_every", "device"];

    /// <summary>Settings left out of cell names (they do not define what is compared; a clash is still reported).</summary>
    private static readonly HashSet<string> NameIgnore = ["time_budget_minutes", "eval_every", "eval_probe_epochs", "eval_images", "data_dir"];

    private static readonly string[] NameOrder = ["method", "proj_dim", "beta", "beta_c", "views", "fraction"];

    /// <summary>Parses sweep YAML; <paramref name="source"/> names it in error messages.</summary>
    public static SweepConfig Parse(string yaml, string source, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var root = ReadRoot(yaml, source, "name:, fixed:, grid:, zip:, readout:, studies:");

        string name = "sweep";
        var fixedSettings = new Dictionary<string, string>();
        var topGrid = new List<KeyValuePair<string, string[]>>();
        var topZip = new List<KeyValuePair<string, string[]>>();
        var readout = new ReadoutSettings();
        var studies = new List<SweepStudy>();
        foreach (var (keyNode, value) in root.Children)
        {
            string key = Scalar(keyNode, source, "a key");
            switch (key)
            {
                case "name": name = OneLineName(value, source); break;
                case "fixed": foreach (var (k, v) in Settings(value, source, "fixed")) fixedSettings[k] = v; break;
                case "grid": topGrid = Lists(value, source, "grid"); break;
                case "zip": topZip = Lists(value, source, "zip"); break;
                case "readout": readout = ParseReadout(value, source); break;
                case "studies":
                    if (value is not YamlSequenceNode list) throw new SelfSupError($"'{source}': studies must be a list of maps, each with name:, fixed:, grid:, zip:");
                    int i = 0;
                    foreach (var item in list)
                    {
                        i++;
                        if (item is not YamlMappingNode study) throw new SelfSupError($"'{source}': studies item {i} must be a map with name:, fixed:, grid:, zip:");
                        studies.Add(ParseStudy(study, source, $"study{i}"));
                    }
                    break;
                default:
                    throw new SelfSupError($"'{source}': unknown top-level key '{key}'; use name, fixed, grid, zip, readout, studies");
            }
        }
        if (studies.Count == 0) studies.Add(new SweepStudy(name, new Dictionary<string, string>(), [], []));
        // top-level grid and zip apply to every study (e.g. a seed list)
        studies = studies.Select(s => s with { Grid = [.. topGrid.Where(g => s.Grid.All(x => x.Key != g.Key)), .. s.Grid], Zip = [.. topZip, .. s.Zip] }).ToList();
        var config = new SweepConfig
        {
            Name = name, Fixed = fixedSettings, Studies = studies, Readout = readout,
            Overrides = overrides?.ToDictionary(kv => NormaliseKey(kv.Key, "--set"), kv => kv.Value) ?? [],
        };
        try { config.Expand(); }   // reports bad keys and values now, before anything runs
        catch (SelfSupError e) when (!e.Message.Contains(source)) { throw new SelfSupError($"'{source}': {e.Message}", e); }
        return config;
    }

    /// <summary>The top-level map of a YAML text (empty for an empty text); errors name <paramref name="source"/> and what the map may hold.</summary>
    internal static YamlMappingNode ReadRoot(string yaml, string source, string expected)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            return stream.Documents.Count == 0 ? new YamlMappingNode()
                : stream.Documents[0].RootNode as YamlMappingNode ?? throw new SelfSupError($"'{source}': the top level must be a map ({expected})");
        }
        catch (YamlException e)
        {
            throw new SelfSupError($"'{source}' is not valid YAML (line {e.Start.Line}, column {e.Start.Column}: {Shown(e.Message, 200)}); fix it or start from the example in README");
        }
        catch (InvalidOperationException)          // YamlDotNet's scanner fails this way on some malformed scalars
        {
            throw new SelfSupError($"'{source}' is not valid YAML (the YAML reader could not scan it; look for stray or non-text characters); fix it or start from the example in README");
        }
    }

    public static SweepConfig Load(string path, IReadOnlyDictionary<string, string>? overrides = null)
    {
        if (!File.Exists(path)) throw new SelfSupError($"sweep file '{path}' does not exist; write one (see README, 'Experiments') or use `selfsup reproduce`");
        return Parse(File.ReadAllText(path), path, overrides);
    }

    /// <summary>The most cells a sweep may expand to; a grid beyond it is almost surely a mistake (and would not fit in memory).</summary>
    public const int MaxCells = 10_000;

    /// <summary>All cells of all studies, identical cells merged, with folder names from the settings that vary.</summary>
    public IReadOnlyList<SweepCell> Expand()
    {
        var raw = new List<(string Study, Dictionary<string, string> Settings)>();
        double total = 0;
        foreach (var study in Studies)
        {
            int zipLength = -1;
            foreach (var (key, values) in study.Zip)
            {
                if (zipLength >= 0 && values.Length != zipLength)
                    throw new SelfSupError($"study '{study.Name}': zip lists must have one length; '{key}' has {values.Length} values, the others {zipLength}");
                zipLength = values.Length;
            }
            total += study.Grid.Aggregate(1.0, (n, g) => n * g.Value.Length) * Math.Max(1, zipLength);
            if (total > MaxCells)
                throw new SelfSupError($"the sweep expands to more than {MaxCells} cells (study '{study.Name}': grid {string.Join(" × ", study.Grid.Select(g => g.Value.Length))}" +
                    $"{(zipLength > 0 ? $" × zip {zipLength}" : "")}); shorten the lists or split the sweep");
            var rows = new List<Dictionary<string, string>> { new() };
            foreach (var (key, values) in study.Grid)
                rows = rows.SelectMany(r => values.Select(v => new Dictionary<string, string>(r) { [key] = v })).ToList();
            if (zipLength > 0)
                rows = rows.SelectMany(r => Enumerable.Range(0, zipLength).Select(i =>
                {
                    var row = new Dictionary<string, string>(r);
                    foreach (var (key, values) in study.Zip) row[key] = values[i];
                    return row;
                })).ToList();
            foreach (var row in rows)
            {
                var settings = new Dictionary<string, string>(Fixed);
                foreach (var (k, v) in study.Fixed) settings[k] = v;
                foreach (var (k, v) in row) settings[k] = v;
                foreach (var (k, v) in Overrides) settings[k] = v;
                raw.Add((study.Name, settings));
            }
        }

        var configs = raw.Select(r => (r.Study, Config: Apply(new TrainConfig(), r.Settings, $"study '{r.Study}'"))).ToList();
        var merged = new List<(List<string> Studies, TrainConfig Config, JsonObject Json)>();
        var seen = new Dictionary<string, int>();                 // semantic config.json text → index in merged
        foreach (var (study, config) in configs)
        {
            var json = Semantic(config, OperationalKeys);
            if (!seen.TryGetValue(json.ToJsonString(), out int same))
            {
                seen[json.ToJsonString()] = merged.Count;
                merged.Add(([study], config, json));
            }
            else if (!merged[same].Studies.Contains(study)) merged[same].Studies.Add(study);
        }
        var varying = VaryingKeys(merged.Select(m => m.Json).ToList()).Where(k => !NameIgnore.Contains(k)).ToList();
        var cells = new List<SweepCell>();
        foreach (var (studies, config, json) in merged)
        {
            var settings = varying.ToDictionary(k => k, k => Display(json[k]));
            cells.Add(new SweepCell(CellName(settings), studies, config, settings));
        }
        var clash = cells.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null) throw new SelfSupError($"two cells would share the folder '{clash.Key}'; vary the settings differently");
        return cells;
    }

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

    /// <summary>Folder name of a cell: short codes of the varying settings, e.g. <c>d64_beta-auto_M2_f1_seed0</c>.</summary>
    public static string CellName(IReadOnlyDictionary<string, string> settings)
    {
        if (settings.Count == 0) return "run";
        var parts = settings.Select(kv => kv.Key switch
        {
            "method" => kv.Value,
            "proj_dim" => $"d{kv.Value}",
            "beta" => $"beta-{kv.Value}",
            "beta_c" => $"c{kv.Value}",
            "views" => $"M{kv.Value}",
            "fraction" => $"f{kv.Value}",
            "seed" => $"seed{kv.Value}",
            "batch_size" => $"b{kv.Value}",
            _ => $"{kv.Key}-{kv.Value}",
        });
        var name = string.Join("_", parts);
        return new string(name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' ? ch : '-').ToArray());
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
            if (eq <= 0) throw new SelfSupError($"--set '{pair}' must be KEY=VALUE, e.g. --set epochs=1");
            result[NormaliseKey(pair[..eq], "--set")] = pair[(eq + 1)..].Trim();
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
    private static int Integer(string key, string text, string where, int min)
    {
        double value = Number(key, text, where);
        if (value != Math.Floor(value) || value < min || value > int.MaxValue)
            throw new SelfSupError($"{where}: {key} must be a whole number from {min} to {int.MaxValue}, not '{Shown(text)}'");
        return (int)value;
    }

    /// <summary>Text as quoted in a one-line message: control characters as '?', at most <paramref name="max"/> characters.</summary>
    private static string Shown(string text, int max = 60)
    {
        var shown = new string(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return shown.Length <= max ? shown : shown[..max] + "…";
    }

    private static SweepStudy ParseStudy(YamlMappingNode node, string source, string fallbackName)
    {
        string name = fallbackName;
        var fixedSettings = new Dictionary<string, string>();
        List<KeyValuePair<string, string[]>> grid = [], zip = [];
        foreach (var (keyNode, value) in node.Children)
        {
            string key = Scalar(keyNode, source, "a key");
            switch (key)
            {
                case "name": name = OneLineName(value, source); break;
                case "fixed": foreach (var (k, v) in Settings(value, source, $"{name}.fixed")) fixedSettings[k] = v; break;
                case "grid": grid = Lists(value, source, $"{name}.grid"); break;
                case "zip": zip = Lists(value, source, $"{name}.zip"); break;
                default: throw new SelfSupError($"'{source}': unknown key '{key}' in study '{name}'; use name, fixed, grid, zip");
            }
        }
        return new SweepStudy(name, fixedSettings, grid, zip);
    }

    private static ReadoutSettings ParseReadout(YamlNode node, string source)
    {
        var settings = new ReadoutSettings();
        foreach (var (key, text) in Settings(node, source, "readout"))
        {
            settings = key switch
            {
                "probe_epochs" => settings with { ProbeEpochs = Integer(key, text, $"'{source}' readout", 1) },
                "average_views" => settings with { AverageViews = Integer(key, text, $"'{source}' readout", 1) },
                "knn" => settings with
                {
                    Knn = text.Trim().ToLowerInvariant() switch
                    {
                        "true" or "yes" or "on" => true,
                        "false" or "no" or "off" => false,
                        _ => throw new SelfSupError($"'{source}' readout: knn must be true or false, not '{Shown(text)}'"),
                    },
                },
                _ => throw new SelfSupError($"'{source}': unknown readout setting '{key}'; use probe_epochs, average_views, knn"),
            };
        }
        if (settings.ProbeEpochs < 1 || settings.AverageViews < 1)
            throw new SelfSupError($"'{source}': readout probe_epochs and average_views must be at least 1");
        return settings;
    }

    internal static Dictionary<string, string> Settings(YamlNode node, string source, string where)
    {
        if (node is YamlScalarNode { Value: null or "" }) return [];
        if (node is not YamlMappingNode map) throw new SelfSupError($"'{source}': {where} must be a map of setting: value");
        var result = new Dictionary<string, string>();
        foreach (var (k, v) in map.Children)
        {
            string key = NormaliseKey(Scalar(k, source, "a key"), $"'{source}' {where}");
            result[key] = v is YamlSequenceNode seq ? string.Join(",", seq.Select(x => Scalar(x, source, $"{where}.{key}"))) : Scalar(v, source, $"{where}.{key}");
        }
        return result;
    }

    private static List<KeyValuePair<string, string[]>> Lists(YamlNode node, string source, string where)
    {
        if (node is YamlScalarNode { Value: null or "" }) return [];
        if (node is not YamlMappingNode map) throw new SelfSupError($"'{source}': {where} must be a map of setting: [values]");
        var result = new List<KeyValuePair<string, string[]>>();
        foreach (var (k, v) in map.Children)
        {
            string key = NormaliseKey(Scalar(k, source, "a key"), $"'{source}' {where}");
            string[] values = v is YamlSequenceNode seq ? seq.Select(x => Scalar(x, source, $"{where}.{key}")).ToArray() : [Scalar(v, source, $"{where}.{key}")];
            if (values.Length == 0) throw new SelfSupError($"'{source}': {where}.{key} is an empty list; give at least one value");
            result.Add(new(key, values));
        }
        return result;
    }

    /// <summary>A sweep or study name: one line of printable text (it appears in messages, reports and folder listings).</summary>
    private static string OneLineName(YamlNode node, string source)
    {
        string name = Scalar(node, source, "name");
        if (name.Any(char.IsControl))
            throw new SelfSupError($"'{source}' line {node.Start.Line}: name '{Shown(name)}' holds a line break or control character; use a one-line name");
        return name;
    }

    private static string Scalar(YamlNode node, string source, string what) => node is YamlScalarNode scalar
        ? scalar.Value ?? ""
        : throw new SelfSupError($"'{source}' line {node.Start.Line}: {what} must be a single value here, not a {(node is YamlSequenceNode ? "list" : "map")}");
}
