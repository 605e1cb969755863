using System.Text.Json;
using System.Text.Json.Nodes;

namespace SelfSup.Training;

/// <summary>
/// A run's folder: <c>config.json</c> (effective config), <c>metrics.jsonl</c> (one JSON object per
/// logged step), <c>checkpoints/epoch-NNNN/</c> and <c>summary.json</c>. Every file is written to a
/// temporary name and renamed, so an interruption never leaves a half-written file behind.
/// </summary>
public sealed class RunDirectory
{
    public string Path { get; }
    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");
    public string MetricsPath => System.IO.Path.Combine(Path, "metrics.jsonl");
    public string SummaryPath => System.IO.Path.Combine(Path, "summary.json");
    public string CheckpointsPath => System.IO.Path.Combine(Path, "checkpoints");

    public RunDirectory(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>The default location: <c>runs/&lt;yyyyMMdd-HHmmss&gt;-&lt;name&gt;</c>.</summary>
    public static string DefaultPath(string name) =>
        System.IO.Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{name}");

    public bool Exists => File.Exists(ConfigPath);

    public void Create(TrainConfig config)
    {
        try { Directory.CreateDirectory(Path); Directory.CreateDirectory(CheckpointsPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"cannot create run directory '{Path}' ({e.Message}); choose another `out`");
        }
        WriteAtomic(ConfigPath, config.ToJson());
    }

    /// <summary>A new run: the directory and its config (<see cref="Create"/>), empty logs, and <c>subset.json</c>, the images it trains on.</summary>
    public void Start(TrainConfig config, object subset)
    {
        Create(config);
        RewindLogs(0, 0);
        WriteAtomic(System.IO.Path.Combine(Path, "subset.json"), System.Text.Json.JsonSerializer.Serialize(subset));
    }

    public TrainConfig ReadConfig()
    {
        if (!File.Exists(ConfigPath))
            throw new SelfSupError($"'{Path}' is not a run directory (no config.json); pass a run directory (the `out` folder of selfsup pretrain)");
        return TrainConfig.FromJson(File.ReadAllText(ConfigPath), ConfigPath);
    }

    /// <summary>One JSON object per finished epoch (step, peak RSS, elapsed time).</summary>
    public string EpochsPath => System.IO.Path.Combine(Path, "epochs.jsonl");

    public void AppendMetrics(object record) => AppendLine(MetricsPath, record);

    public void AppendEpoch(object record) => AppendLine(EpochsPath, record);

    /// <summary>Evaluation records (<see cref="TrainConfig.EvalEvery"/>).</summary>
    public string EvalsPath => System.IO.Path.Combine(Path, "evals.jsonl");

    /// <summary>
    /// Brings the log files back to the moment of a checkpoint before a resumed run appends to them: lines of
    /// <c>metrics.jsonl</c> and <c>evals.jsonl</c> after <paramref name="step"/> and of <c>epochs.jsonl</c> after
    /// <paramref name="epoch"/> are dropped (as is a line cut short by a crash), so no line is duplicated or stale.
    /// </summary>
    public void RewindLogs(long step, int epoch)
    {
        KeepLines(MetricsPath, o => o["step"]?.GetValue<long>() <= step);
        KeepLines(EvalsPath, o => o["step"]?.GetValue<long>() <= step);
        KeepLines(EpochsPath, o => o["epoch"]?.GetValue<int>() <= epoch);
    }

    private static void KeepLines(string path, Func<JsonObject, bool?> keep)
    {
        if (!File.Exists(path)) return;
        var kept = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            JsonObject? record;
            try { record = JsonNode.Parse(line) as JsonObject; }
            catch (JsonException) { continue; }
            if (record is not null && keep(record) == true) kept.Add(line);
        }
        WriteAtomic(path, kept.Count == 0 ? "" : string.Join("\n", kept) + "\n");
    }

    private static void AppendLine(string path, object record) =>
        File.AppendAllText(path, JsonSerializer.Serialize(record, JsonLines) + "\n");

    private static readonly JsonSerializerOptions JsonLines = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Reads summary.json (empty object when absent).</summary>
    public JsonObject ReadSummary()
    {
        if (!File.Exists(SummaryPath)) return new JsonObject();
        try { return JsonNode.Parse(File.ReadAllText(SummaryPath)) as JsonObject ?? new JsonObject(); }
        catch (JsonException) { throw new SelfSupError($"'{SummaryPath}' is not valid JSON; delete it and rerun `selfsup probe {Path}`"); }
    }

    /// <summary>Merges <paramref name="values"/> into summary.json.</summary>
    public void UpdateSummary(IReadOnlyDictionary<string, object?> values)
    {
        var summary = ReadSummary();
        foreach (var (key, value) in values)
            summary[key] = value is null ? null : JsonSerializer.SerializeToNode(value, TrainConfig.Json);
        WriteAtomic(SummaryPath, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Replaces a file's contents crash-safely (<see cref="IO.DurableFile.WriteAllTextDurable"/>).</summary>
    public static void WriteAtomic(string path, string text) => IO.DurableFile.WriteAllTextDurable(path, text);
}
