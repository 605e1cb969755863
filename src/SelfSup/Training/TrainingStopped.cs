namespace SelfSup.Training;

/// <summary>
/// A step that cannot go on: the trainer adds where the last good checkpoint is. The message reads
/// "<see cref="Problem"/>; training stopped. … <see cref="Remedy"/>".
/// </summary>
public sealed class TrainingStopped(string problem, string remedy) : SelfSupError($"{problem}; training stopped. {remedy}")
{
    public string Problem { get; } = problem;
    public string Remedy { get; } = remedy;
}
