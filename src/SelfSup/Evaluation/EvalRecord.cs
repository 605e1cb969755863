using System.Text.Json;
using System.Text.Json.Serialization;

namespace SelfSup.Evaluation;

/// <summary>
/// One line of <c>evals.jsonl</c>: the readout of the encoder as it was after <see cref="Epoch"/>, with the
/// pretraining wall-clock so far (evaluation time excluded), the process CPU seconds of pretraining so far
/// (<see cref="CpuSeconds"/>, when the trainer records it) and the images seen, so every run yields
/// accuracy-vs-epoch and accuracy-vs-time curves. Spectra are of the held-out (test) split: backbone
/// features (<see cref="Alpha"/>, <see cref="EffectiveRank"/>) and projector embeddings.
/// </summary>
public sealed record EvalRecord
{
    public int Epoch { get; init; }
    public long Step { get; init; }
    public double PretrainSeconds { get; init; }
    /// <summary>Process CPU seconds spent in pretraining steps so far (evaluation and checkpoint writing excluded); null in runs that did not record it.</summary>
    public double? CpuSeconds { get; init; }
    public long ImagesSeen { get; init; }
    public double? ProbeTop1 { get; init; }
    public double? KnnTop1 { get; init; }
    public double? Alpha { get; init; }
    public double EffectiveRank { get; init; }
    public double? EmbeddingAlpha { get; init; }
    public double EmbeddingEffectiveRank { get; init; }
    public int ProbeEpochs { get; init; }
    public int TrainImages { get; init; }
    public double EvalSeconds { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads a run's <c>evals.jsonl</c> (empty when absent); a damaged line is skipped.</summary>
    public static IReadOnlyList<EvalRecord> ReadAll(string runPath)
    {
        var path = Path.Combine(runPath, PeriodicEvaluator.FileName);
        if (!File.Exists(path)) return [];
        var records = new List<EvalRecord>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try { if (JsonSerializer.Deserialize<EvalRecord>(line, Json) is { } r) records.Add(r); }
            catch (JsonException) { /* a line cut by an interruption: the next evaluation writes a whole one */ }
        }
        // a resumed run may evaluate an epoch again: keep the newest record of each epoch
        return records.GroupBy(r => r.Epoch).Select(g => g.Last()).OrderBy(r => r.Epoch).ToList();
    }
}
