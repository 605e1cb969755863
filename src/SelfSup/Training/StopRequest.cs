namespace SelfSup.Training;

/// <summary>
/// A request to end pretraining early (Ctrl-C, SIGTERM): the trainer finishes the step in progress, writes a
/// checkpoint and returns with <see cref="TrainingState.StoppedBy"/> set to <see cref="Reason"/>. Thread-safe;
/// the first reason wins.
/// </summary>
public sealed class StopRequest
{
    private volatile string? reason;

    /// <summary>Why training should stop (e.g. "SIGINT"), or null while it should go on.</summary>
    public string? Reason => reason;

    public void Request(string why) => Interlocked.CompareExchange(ref reason, why, null);

    /// <summary>Reasons from least to most urgent; a data-parallel job stops for the most urgent one any rank has.</summary>
    private static readonly string?[] Urgency = [null, "time-budget", "SIGTERM", "SIGINT"];

    /// <summary>
    /// The reason every rank of <paramref name="group"/> acts on: the most urgent of the ranks' own <paramref name="reason"/>s
    /// (a signal reaches ranks at different steps, and their clocks differ; all must stop at the same step).
    /// </summary>
    public static string? Agree(string? reason, Distributed.ProcessGroup group)
    {
        if (group.Size == 1) return reason;
        int own = Math.Max(0, Array.IndexOf(Urgency, reason));
        return Urgency[(int)group.Max(own)];
    }
}
