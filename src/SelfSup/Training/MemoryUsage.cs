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
