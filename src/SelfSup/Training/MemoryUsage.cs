using SelfSup.Native;
namespace SelfSup.Training;

/// <summary>
/// Peak resident memory of this process, per interval: Linux keeps the high-water mark in
/// /proc/self/status (VmHWM) and resets it when "5" is written to /proc/self/clear_refs, so the trainer
/// can report each epoch's own peak and a leak shows as a growing series.
/// </summary>
public static class MemoryUsage
{
    /// <summary>Starts a new measuring interval (no-op where the kernel does not support it).</summary>
    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException) { }
    }

    /// <summary>
    /// Where the process's memory is now, in MiB: resident set; bytes glibc's malloc has handed out and not had back
    /// (libtorch's tensors live there: <c>uordblks + hblkhd</c> of mallinfo2); what malloc holds from the kernel in all
    /// (<c>arena + hblkhd</c>; the difference to in-use is free space kept for reuse or lost to fragmentation); and the
    /// .NET heap. Logged with every metrics line, so a growing peak can be traced to its source.
    /// </summary>
    public static (double Rss, double NativeInUse, double NativeHeld, double Managed) Breakdown()
    {
        double rss = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:")) { rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0; break; }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        double inUse = 0, held = 0;
        try
        {
            var s = NativeHeap.Statistics();
            inUse = (s.UordBlks + s.HBlkHd) / 1048576.0;
            held = (s.Arena + s.HBlkHd) / 1048576.0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        return (Math.Round(rss, 1), Math.Round(inUse, 1), Math.Round(held, 1), Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1));
    }

    /// <summary>Peak resident set size since the last <see cref="ResetPeak"/>, in MiB.</summary>
    public static double PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:"))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
