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
}
