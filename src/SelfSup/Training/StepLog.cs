using System.Diagnostics;

namespace SelfSup.Training;

/// <summary>
/// The per-step record of a run: every <c>logEvery</c> steps (and at the last) a line of metrics.jsonl and a
/// TensorBoard point (when this rank writes), with the throughput over the steps since the previous line.
/// </summary>
/// <param name="run">The run directory to write to; null on ranks that do not write.</param>
/// <param name="logEvery">Steps between two records.</param>
/// <param name="totalSteps">The run's last step, always recorded.</param>
/// <param name="views">Views per image M (for views/s).</param>
public sealed class StepLog(RunDirectory? run, int logEvery, long totalSteps, int views)
{
    private readonly TensorBoardLog? tensorBoard = run is null ? null : TensorBoardLog.ForTraining(run);  // a new event file per start or resume
    private readonly Stopwatch window = Stopwatch.StartNew();
    private long windowImages;

    /// <summary>Notes a finished step of <paramref name="images"/> images; returns images/s since the last record.</summary>
    public double Record(long step, int epoch, StepOutcome outcome, double lr, int images, TrainingClock clock, long imagesSeen)
    {
        windowImages += images;
        double rate = windowImages / Math.Max(1e-9, window.Elapsed.TotalSeconds);
        if (step % logEvery != 0 && step != totalSteps) return rate;
        var memory = MemoryUsage.Breakdown();
        run?.AppendMetrics(new
        {
            step, epoch, loss = outcome.Loss, lr, images_per_s = rate, views_per_s = rate * views, embedding_spread = outcome.Spread,
            elapsed_s = clock.WallSeconds, cpu_s = clock.CpuSeconds, images_seen = imagesSeen,
            rss_mb = memory.Rss, native_in_use_mb = memory.NativeInUse, native_held_mb = memory.NativeHeld, managed_mb = memory.Managed,
        });
        tensorBoard?.Step(step, outcome.Loss, lr, rate);
        window.Restart();
        windowImages = 0;
        return rate;
    }
}
