using System.Text.Json;
using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>
/// Keeps each running cell's <see cref="CellSession"/> in its <c>cell.json</c> up to date for
/// <see cref="SweepRunner.Execute"/>: a cell that starts notes the cells already running, and is noted by
/// each of them; a cell that ends gets its end time. Every change is written at once (atomically), so a
/// stopped sweep still leaves what ran beside what. Cells without a cell.json are tracked but not written.
/// Not thread-safe: the runner calls it under its lock.
/// </summary>
internal sealed class CellConcurrency(int parallel)
{
    private readonly Dictionary<string, (PlannedCell Cell, int Index, CellSession Session)> running = [];

    public void Started(PlannedCell cell)
    {
        var session = new CellSession
        {
            Started = DateTimeOffset.UtcNow, Parallel = parallel, Threads = cell.Cell.Config.Threads, Beside = [.. running.Keys.Order(StringComparer.Ordinal)],
        };
        foreach (var (name, other) in running.ToList())
        {
            other.Session.Beside.Add(cell.Cell.Name);
            Write(other.Cell, other.Index, other.Session);
        }
        running[cell.Cell.Name] = (cell, Write(cell, -1, session), session);
    }

    public void Ended(PlannedCell cell)
    {
        if (!running.Remove(cell.Cell.Name, out var entry)) return;
        Write(cell, entry.Index, entry.Session with { Ended = DateTimeOffset.UtcNow });
    }

    /// <summary>
    /// Replaces session <paramref name="index"/> of the cell's cell.json (−1: appends it); returns its index.
    /// A cell.json that cannot be read or written is left as it is: the record is bookkeeping, and the
    /// report then says it has no record for that run rather than the sweep failing.
    /// </summary>
    private static int Write(PlannedCell cell, int index, CellSession session)
    {
        string path = Path.Combine(cell.Path, SweepRunner.CellFile);
        if (!File.Exists(path)) return index;
        try
        {
            var spec = SweepRunner.ReadSpec(cell.Path);
            var sessions = spec.Sessions.ToList();
            if (index < 0 || index >= sessions.Count) { sessions.Add(session); index = sessions.Count - 1; }
            else sessions[index] = session;
            RunDirectory.WriteAtomic(path, JsonSerializer.Serialize(spec with { Sessions = sessions }, TrainConfig.Json));
        }
        catch (Exception e) when (e is SelfSupError or IOException or UnauthorizedAccessException) { }
        return index;
    }
}
