using System.Text.Json;
using System.Text.Json.Nodes;
using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>Finds the run directories under a folder and reads them, with the sweep index when there is one.</summary>
public static class ReportLoader
{
    /// <summary>Run directories: DIR itself when it is one, else its sub-folders (two levels) holding config.json.</summary>
    public static IReadOnlyList<string> FindRuns(string dir)
    {
        if (File.Exists(Path.Combine(dir, "config.json"))) return [dir];
        var found = new List<string>();
        foreach (var sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(sub, "config.json"))) found.Add(sub);
            else found.AddRange(Directory.GetDirectories(sub).Order(StringComparer.Ordinal).Where(d => File.Exists(Path.Combine(d, "config.json"))));
        }
        return found;
    }

    /// <summary>Every run under <paramref name="dir"/>; a clear error when the folder is missing or holds none.</summary>
    public static List<RunRecord> LoadAll(string dir)
    {
        if (!Directory.Exists(dir)) throw new SelfSupError($"'{dir}' does not exist; pass the `out` folder of a sweep (or a folder of runs)");
        var runs = FindRuns(dir).Select(RunRecord.Load).ToList();
        if (runs.Count == 0) throw new SelfSupError($"no runs under '{dir}' (no folder with config.json); run selfsup sweep CONFIG with `out` {dir} first");
        return runs;
    }

    /// <summary>The sweep's name and study order from its index (sweep.json), when DIR is a sweep.</summary>
    public static (string? Name, List<string> Studies) ReadIndex(string dir)
    {
        var path = Path.Combine(dir, SweepRunner.IndexFile);
        if (!File.Exists(path)) return (null, []);
        try
        {
            var index = JsonNode.Parse(File.ReadAllText(path));
            return (index?["name"]?.GetValue<string>(), index?["studies"] is JsonArray a ? a.Select(s => s?.GetValue<string>() ?? "").ToList() : []);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return (null, []); }
    }
}
