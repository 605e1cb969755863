using System.Diagnostics;

namespace SelfSup.Training;

/// <summary>
/// When the trainer writes a checkpoint inside an epoch: every <c>everySteps</c> steps when that is set, else once
/// <c>everyMinutes</c> of training have passed since the last checkpoint (every epoch end is checkpointed anyway, and
/// so is any step where training must stop).
/// </summary>
public sealed class CheckpointPolicy(long everySteps, double everyMinutes)
{
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();

    /// <summary>Whether a checkpoint is due after step <paramref name="step"/> (1-based count of steps done).</summary>
    public bool Due(long step) => everySteps > 0 ? step % everySteps == 0 : sinceLast.Elapsed.TotalMinutes >= everyMinutes;

    /// <summary>Starts the clock again after a checkpoint was written.</summary>
    public void Written() => sinceLast.Restart();
}
