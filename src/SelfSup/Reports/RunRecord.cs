using System.Text.Json;
using System.Text.Json.Nodes;
using SelfSup.Evaluation;
using SelfSup.Training;
using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>
/// A finished or partial run as the report sees it; <see cref="Sessions"/> are a sweep cell's records of
/// what ran beside it (empty for a run that is not a sweep cell).
/// </summary>
public sealed record RunRecord(string Name, string Path, TrainConfig Config, JsonObject Summary, IReadOnlyList<EvalRecord> Evals,
    string[] Studies, int? UniqueImages, IReadOnlyList<CellSession> Sessions)
{
    public double? Number(string key) => Summary[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>
    /// The run's accuracy by <paramref name="metric"/> ("probe" or "knn") and how it was measured: the final
    /// readout in summary.json when there is one, else the last periodic evaluation that has it (marked
    /// periodic, with its probe's epochs); null when neither exists.
    /// </summary>
    public AccuracyReading? Accuracy(string metric)
    {
        bool knn = metric == "knn";
        if (Number(knn ? "knn_top1" : "probe_top1") is { } final)
            return new AccuracyReading(final, new ReadoutProtocol(true, knn ? 0 : (int)(Number("probe_epochs") ?? 0)));
        var last = Evals.LastOrDefault(e => Report.Metric(metric)(e) is not null);
        return last is null ? null : new AccuracyReading(Report.Metric(metric)(last)!.Value, new ReadoutProtocol(false, knn ? 0 : last.ProbeEpochs));
    }

    public double? PretrainSeconds => Number("pretrain_seconds") ?? Evals.LastOrDefault()?.PretrainSeconds;

    /// <summary>Process CPU seconds of pretraining (summary.json <c>pretrain_cpu_seconds</c>, else the last evaluation's); null when not recorded.</summary>
    public double? PretrainCpuSeconds => Number("pretrain_cpu_seconds") ?? Evals.LastOrDefault()?.CpuSeconds;
    public double? ImagesSeen => Number("images_seen") ?? Evals.LastOrDefault()?.ImagesSeen;

    /// <summary>Reads a run directory (config.json, summary.json, evals.jsonl, subset.json, cell.json).</summary>
    public static RunRecord Load(string path)
    {
        var run = new RunDirectory(path);
        var config = run.ReadConfig();
        var summary = run.ReadSummary();
        string[] studies = summary["sweep_studies"] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").ToArray() : [];
        bool cell = File.Exists(System.IO.Path.Combine(path, SweepRunner.CellFile));
        if (studies.Length == 0 && cell)
            studies = SweepRunner.ReadSpec(path).Studies;
        int? unique = null;
        var subsetPath = System.IO.Path.Combine(path, "subset.json");
        if (File.Exists(subsetPath))
        {
            try { unique = JsonNode.Parse(File.ReadAllText(subsetPath))?["count"]?.GetValue<int>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { }
        }
        return new RunRecord(System.IO.Path.GetFileName(run.Path), run.Path, config, summary, EvalRecord.ReadAll(path), studies, unique,
            cell ? SweepRunner.ReadSessions(path) : []);
    }
}
