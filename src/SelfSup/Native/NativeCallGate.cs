using System.Runtime;

namespace SelfSup.Native;

/// <summary>
/// Keeps the .NET garbage collector from running while more than one thread is inside TorchSharp.
/// <para>
/// Why: TorchSharp turns every number passed to a tensor op (<c>x * 0.5</c>, <c>x.gt(0)</c>, Adam's
/// <c>exp_avg.mul_(beta1)</c>) into a <c>Scalar</c> that only its finaliser frees, and passes the Scalar's native
/// handle to libtorch without keeping the Scalar alive (upstream: dotnet/TorchSharp pull requests 1434 and 1496,
/// open). A collection started by another thread while one thread is inside such a call finalises the Scalar and
/// frees it under libtorch's feet (docs/notes/2026-11-26-cpu-runtime-measurements.md#the-garbage-collector-and-torchsharps-scalars).
/// </para>
/// <para>
/// How: while a gate is open the process is in a no-GC region (<see cref="GC.TryStartNoGCRegion(long)"/>), so no
/// collection happens at all. Threads doing TorchSharp work hold <see cref="Work"/> (shared); the trainer calls
/// <see cref="SafePoint"/> between steps, which — once the region's allocation budget is half spent — waits until no
/// thread is inside <see cref="Work"/>, collects, runs the pending finalisers (every dropped Scalar is freed here,
/// when nobody can be using it) and opens a new region. Managed allocations per step are small (tensor wrappers),
/// so this happens every few hundred steps. The CLI opens the gate for its whole run and the long loops (training
/// steps, feature batches, probe epochs) are safe points; the test assembly does the same around each test.
/// </para>
/// </summary>
public static class NativeCallGate
{
    /// <summary>Bytes the runtime may allocate between safe points (a no-GC region's budget).</summary>
    public const long Budget = 64L << 20;

    private static readonly ReaderWriterLockSlim Lock = new(LockRecursionPolicy.SupportsRecursion);
    private static int opened;
    private static long allocatedAtStart;

    /// <summary>Number of collections run at safe points (for tests and diagnostics).</summary>
    public static int SafeCollections { get; private set; }

    /// <summary>Whether the process is inside the gate's no-GC region now.</summary>
    public static bool Holding => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>Opens the gate (idempotent): from now on collections happen only at <see cref="SafePoint"/>s until <see cref="Close"/>.</summary>
    public static IDisposable Open()
    {
        if (Interlocked.Increment(ref opened) == 1)
        {
            Lock.EnterWriteLock();
            try { StartRegion(); }
            finally { Lock.ExitWriteLock(); }
        }
        return new Closer();
    }

    /// <summary>Marks the calling thread as inside TorchSharp until disposed (shared with other workers; excludes a safe-point collection).</summary>
    public static Worker Work()
    {
        Lock.EnterReadLock();
        return new Worker();
    }

    /// <summary>
    /// Between steps, outside <see cref="Work"/>: when half the budget is spent (or the runtime had to leave the region),
    /// waits for the other workers to finish their current piece, collects, finalises and re-opens the region.
    /// </summary>
    public static void SafePoint()
    {
        if (Volatile.Read(ref opened) == 0 || Lock.IsReadLockHeld) return;  // inside Work: the caller is not at a safe point
        if (Holding && GC.GetTotalAllocatedBytes() - allocatedAtStart < Budget / 2) return;
        Lock.EnterWriteLock();
        try
        {
            if (Holding) { try { GC.EndNoGCRegion(); } catch (InvalidOperationException) { } }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            SafeCollections++;
            StartRegion();
        }
        finally { Lock.ExitWriteLock(); }
    }

    private static void StartRegion()
    {
        if (Holding) return;
        try
        {
            if (GC.TryStartNoGCRegion(Budget)) allocatedAtStart = GC.GetTotalAllocatedBytes();
        }
        catch (InvalidOperationException) { } // already in a region started elsewhere
    }

    private static void Close()
    {
        if (Interlocked.Decrement(ref opened) != 0) return;
        Lock.EnterWriteLock();
        try
        {
            if (Holding) { try { GC.EndNoGCRegion(); } catch (InvalidOperationException) { } }
        }
        finally { Lock.ExitWriteLock(); }
    }

    /// <summary>Releases the shared hold of <see cref="Work"/>.</summary>
    public readonly struct Worker : IDisposable
    {
        public void Dispose() => Lock.ExitReadLock();
    }

    private sealed class Closer : IDisposable
    {
        private int done;
        public void Dispose() { if (Interlocked.Exchange(ref done, 1) == 0) Close(); }
    }
}
