using System.Runtime.InteropServices;

namespace SelfSup.Native;

/// <summary>
/// How glibc's malloc, which libtorch allocates every CPU tensor with, should treat the large blocks a training step
/// allocates and frees (activations of tens of MB). By default glibc serves every block above its mmap threshold
/// (at most 32 MB) with a fresh <c>mmap</c> and gives it back with <c>munmap</c> on free, so each step touches its
/// activations' pages for the first time again and the kernel zeroes them; keeping them for reuse more than doubled
/// the CPU step's speed (docs/notes/2026-11-26-cpu-runtime-measurements.md#glibc-malloc-keep-large-blocks-trim-every-50-steps).
/// <para>
/// <see cref="KeepFreedMemory"/> sets <c>M_MMAP_MAX = 0</c> (large blocks come from the heap and return to it) and
/// <c>M_TRIM_THRESHOLD</c> = 2 GiB, the largest value mallopt takes (freed heap is not handed back to the kernel), as the environment variables
/// <c>MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647</c> would. The process's resident memory then stays at the
/// high-water mark of one step instead of rising and falling within it. glibc still falls back to mmap where the heap
/// cannot hold a block — on a thread other than the main one, blocks above 64 MB (a thread arena's heap size) — so no
/// allocation fails because of it; the CLI trains on its main thread.
/// </para>
/// Set <c>SELFSUP_MALLOC=default</c> to leave glibc's defaults; it is a no-op off Linux/glibc.
/// </summary>
public static class NativeHeap
{
    private const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;
    public const int TrimThreshold = int.MaxValue;
    private static int applied;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 MallInfo();

    /// <summary>glibc's <c>struct mallinfo2</c> (all <c>size_t</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MallInfo2
    {
        public nuint Arena, OrdBlks, SmBlks, HBlks, HBlkHd, UsmBlks, FsmBlks, UordBlks, FordBlks, KeepCost;
    }

    /// <summary>Whether <see cref="KeepFreedMemory"/> changed glibc's settings in this process.</summary>
    public static bool Tuned { get; private set; }

    /// <summary>Applies the settings above once per process (idempotent, thread-safe); returns whether they are in effect.</summary>
    public static bool KeepFreedMemory()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1) return Tuned;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("SELFSUP_MALLOC") == "default") return false;
        try
        {
            Tuned = MallOpt(M_MMAP_MAX, 0) == 1 & MallOpt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { Tuned = false; } // not glibc
        return Tuned;
    }

    /// <summary>Steps between <see cref="Release"/> calls in the trainer.</summary>
    public const int ReleaseEvery = 50;

    /// <summary>
    /// Hands the free pages inside the heap back to the kernel (<c>malloc_trim(0)</c>; the address space stays, so blocks
    /// are still reused). Kept blocks are not all reused exactly, so the memory malloc holds grows by fragmentation
    /// (not a leak); releasing every <see cref="ReleaseEvery"/> steps and at each epoch's start bounds it, at one
    /// page-fault pass per release (docs/notes/2026-11-26-cpu-runtime-measurements.md#glibc-malloc-keep-large-blocks-trim-every-50-steps). No-op when not tuned.
    /// </summary>
    public static void Release()
    {
        if (!Tuned) return;
        try { MallocTrim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    /// <summary>glibc's allocation statistics (for tests and diagnostics): <c>HBlks</c> counts blocks currently mmapped.</summary>
    public static MallInfo2 Statistics() => MallInfo();
}
