using SelfSup.Evaluation;

namespace SelfSup.Reports;

/// <summary>
/// Time to a target accuracy (paper Tables 2–3), read from a run's periodic evaluations (<c>evals.jsonl</c>):
/// the first evaluation whose accuracy is at or above the target. The resolution is the evaluation
/// interval (<see cref="Training.TrainConfig.EvalEvery"/>); no interpolation between evaluations.
/// </summary>
public static class TimeToAccuracy
{
    /// <summary>
    /// The first evaluation reaching <paramref name="target"/> (%), or null when none did; its time by
    /// <paramref name="seconds"/> (default: wall-clock <see cref="EvalRecord.PretrainSeconds"/>).
    /// </summary>
    public static TargetReached? First(IEnumerable<EvalRecord> evals, double target, Func<EvalRecord, double?> metric,
        Func<EvalRecord, double>? seconds = null)
    {
        foreach (var e in evals.OrderBy(e => e.Epoch))
            if (metric(e) is { } acc && acc >= target)
                return new TargetReached(seconds?.Invoke(e) ?? e.PretrainSeconds, e.Epoch, e.ImagesSeen);
        return null;
    }

    /// <summary>
    /// A target every run reaches: the lowest, over runs, of each run's best evaluated accuracy, rounded
    /// down to 0.1 %. Null when no run has evaluations.
    /// </summary>
    public static double? DefaultTarget(IEnumerable<IReadOnlyList<EvalRecord>> runs, Func<EvalRecord, double?> metric)
    {
        var best = runs.Select(r => r.Select(metric).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Max())
            .Where(double.IsFinite).ToList();
        return best.Count == 0 ? null : Math.Floor(best.Min() * 10) / 10;
    }
}
