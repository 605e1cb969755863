using System.Text.Json;
using System.Text.Json.Nodes;
using SelfSup.Evaluation;
using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>A finished or partial run as the report sees it.</summary>
public sealed record RunRecord(string Name, string Path, TrainConfig Config, JsonObject Summary, IReadOnlyList<EvalRecord> Evals,
    string[] Studies, int? UniqueImages)
{
    public double? Number(string key) => Summary[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>Final accuracy: the full readout in summary.json, else the last periodic evaluation.</summary>
    public double? Final(string metric) => Number(metric == "knn" ? "knn_top1" : "probe_top1") ?? (Evals.Count > 0 ? Report.Metric(metric)(Evals[^1]) : null);

    public double? PretrainSeconds => Number("pretrain_seconds") ?? Evals.LastOrDefault()?.PretrainSeconds;
    public double? ImagesSeen => Number("images_seen") ?? Evals.LastOrDefault()?.ImagesSeen;

    /// <summary>Reads a run directory (config.json, summary.json, evals.jsonl, subset.json, cell.json).</summary>
    public static RunRecord Load(string path)
    {
        var run = new RunDirectory(path);
        var config = run.ReadConfig();
        var summary = run.ReadSummary();
        string[] studies = summary["sweep_studies"] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").ToArray() : [];
        if (studies.Length == 0 && File.Exists(System.IO.Path.Combine(path, SweepRunner.CellFile)))
            studies = SweepRunner.ReadSpec(path).Studies;
        int? unique = null;
        var subsetPath = System.IO.Path.Combine(path, "subset.json");
        if (File.Exists(subsetPath))
        {
            try { unique = JsonNode.Parse(File.ReadAllText(subsetPath))?["count"]?.GetValue<int>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { }
        }
        return new RunRecord(System.IO.Path.GetFileName(run.Path), run.Path, config, summary, EvalRecord.ReadAll(path), studies, unique);
    }
}
