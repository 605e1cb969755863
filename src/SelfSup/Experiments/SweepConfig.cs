using System.Text.Json.Nodes;
using SelfSup.Training;
using YamlDotNet.RepresentationModel;

namespace SelfSup.Experiments;

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

    /// <summary>Settings left out of cell names (they do not define what is compared; a clash is still reported).</summary>
    private static readonly HashSet<string> NameIgnore = ["time_budget_minutes", "eval_every", "eval_probe_epochs", "eval_images", "data_dir"];

    /// <summary>Parses sweep YAML; <paramref name="source"/> names it in error messages.</summary>
    public static SweepConfig Parse(string yaml, string source, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var root = YamlSettings.ReadRoot(yaml, source, "name:, fixed:, grid:, zip:, readout:, studies:");

        string name = "sweep";
        var fixedSettings = new Dictionary<string, string>();
        var topGrid = new List<KeyValuePair<string, string[]>>();
        var topZip = new List<KeyValuePair<string, string[]>>();
        var readout = new ReadoutSettings();
        var studies = new List<SweepStudy>();
        foreach (var (keyNode, value) in root.Children)
        {
            string key = YamlSettings.Scalar(keyNode, source, "a key");
            switch (key)
            {
                case "name": name = YamlSettings.OneLineName(value, source); break;
                case "fixed": foreach (var (k, v) in YamlSettings.Settings(value, source, "fixed")) fixedSettings[k] = v; break;
                case "grid": topGrid = YamlSettings.Lists(value, source, "grid"); break;
                case "zip": topZip = YamlSettings.Lists(value, source, "zip"); break;
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
            Overrides = overrides?.ToDictionary(kv => ConfigSettings.NormaliseKey(kv.Key, "`set`"), kv => kv.Value) ?? [],
        };
        try { config.Expand(); }   // reports bad keys and values now, before anything runs
        catch (SelfSupError e) when (!e.Message.Contains(source)) { throw new SelfSupError($"'{source}': {e.Message}", e); }
        return config;
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

        var configs = raw.Select(r => (r.Study, Config: ConfigSettings.Apply(new TrainConfig(), r.Settings, $"study '{r.Study}'"))).ToList();
        var merged = new List<(List<string> Studies, TrainConfig Config, JsonObject Json)>();
        var seen = new Dictionary<string, int>();                 // semantic config.json text → index in merged
        foreach (var (study, config) in configs)
        {
            var json = ConfigComparison.Semantic(config, ConfigComparison.OperationalKeys);
            if (!seen.TryGetValue(json.ToJsonString(), out int same))
            {
                seen[json.ToJsonString()] = merged.Count;
                merged.Add(([study], config, json));
            }
            else if (!merged[same].Studies.Contains(study)) merged[same].Studies.Add(study);
        }
        var varying = ConfigComparison.VaryingKeys(merged.Select(m => m.Json).ToList()).Where(k => !NameIgnore.Contains(k)).ToList();
        var cells = new List<SweepCell>();
        foreach (var (studies, config, json) in merged)
        {
            var settings = varying.ToDictionary(k => k, k => ConfigComparison.Display(json[k]));
            cells.Add(new SweepCell(CellName(settings), studies, config, settings));
        }
        var clash = cells.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null) throw new SelfSupError($"two cells would share the folder '{clash.Key}'; vary the settings differently");
        return cells;
    }

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

    private static SweepStudy ParseStudy(YamlMappingNode node, string source, string fallbackName)
    {
        string name = fallbackName;
        var fixedSettings = new Dictionary<string, string>();
        List<KeyValuePair<string, string[]>> grid = [], zip = [];
        foreach (var (keyNode, value) in node.Children)
        {
            string key = YamlSettings.Scalar(keyNode, source, "a key");
            switch (key)
            {
                case "name": name = YamlSettings.OneLineName(value, source); break;
                case "fixed": foreach (var (k, v) in YamlSettings.Settings(value, source, $"{name}.fixed")) fixedSettings[k] = v; break;
                case "grid": grid = YamlSettings.Lists(value, source, $"{name}.grid"); break;
                case "zip": zip = YamlSettings.Lists(value, source, $"{name}.zip"); break;
                default: throw new SelfSupError($"'{source}': unknown key '{key}' in study '{name}'; use name, fixed, grid, zip");
            }
        }
        return new SweepStudy(name, fixedSettings, grid, zip);
    }

    private static ReadoutSettings ParseReadout(YamlNode node, string source)
    {
        var settings = new ReadoutSettings();
        foreach (var (key, text) in YamlSettings.Settings(node, source, "readout"))
        {
            settings = key switch
            {
                "probe_epochs" => settings with { ProbeEpochs = ConfigSettings.Integer(key, text, $"'{source}' readout", 1) },
                "average_views" => settings with { AverageViews = ConfigSettings.Integer(key, text, $"'{source}' readout", 1) },
                "knn" => settings with
                {
                    Knn = text.Trim().ToLowerInvariant() switch
                    {
                        "true" or "yes" or "on" => true,
                        "false" or "no" or "off" => false,
                        _ => throw new SelfSupError($"'{source}' readout: knn must be true or false, not '{ConfigSettings.Shown(text)}'"),
                    },
                },
                _ => throw new SelfSupError($"'{source}': unknown readout setting '{key}'; use probe_epochs, average_views, knn"),
            };
        }
        if (settings.ProbeEpochs < 1 || settings.AverageViews < 1)
            throw new SelfSupError($"'{source}': readout probe_epochs and average_views must be at least 1");
        return settings;
    }

}
