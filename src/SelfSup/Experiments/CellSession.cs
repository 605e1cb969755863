namespace SelfSup.Experiments;

/// <summary>
/// One stretch of a sweep cell's running, as recorded in its <c>cell.json</c> by the sweep runner: when it
/// started and ended, how many cells the sweep ran at once (<c>parallel</c>), the cell's threads, and every other cell of the sweep that
/// was running at any time during it. Cells side by side share the cores unevenly, so wall-clock times of
/// cells that ran beside others compare unequal conditions; the report says so.
/// </summary>
public sealed record CellSession
{
    public DateTimeOffset Started { get; init; }

    /// <summary>Null while running, or when the sweep was stopped before the cell ended.</summary>
    public DateTimeOffset? Ended { get; init; }

    /// <summary>The sweep's <c>parallel</c> setting: cells run at once.</summary>
    public int Parallel { get; init; }

    /// <summary>The cell's CPU threads (its config's <c>threads</c>; 0 = all cores).</summary>
    public int Threads { get; init; }

    /// <summary>Names of the other cells running at any time during this stretch.</summary>
    public List<string> Beside { get; init; } = [];
}
