using System.Diagnostics;

namespace SelfSup.Training;

/// <summary>
/// The pretraining clock: wall-clock and process CPU seconds while it runs, paused around checkpoint writing
/// and evaluation so neither counts as pretraining time. CPU seconds (all threads of the process) make runs
/// comparable when they shared the cores unevenly with other runs.
/// </summary>
public sealed class TrainingClock
{
    private readonly Stopwatch wall = new();
    private readonly double wallBefore, cpuBefore;
    private TimeSpan cpuAtStart;
    private double cpuRun;

    /// <summary>A clock that continues from earlier totals (a resumed run) and starts running.</summary>
    public TrainingClock(double wallSeconds, double cpuSeconds)
    {
        wallBefore = wallSeconds;
        cpuBefore = cpuSeconds;
        Resume();
    }

    /// <summary>Pretraining wall-clock seconds so far.</summary>
    public double WallSeconds => wallBefore + wall.Elapsed.TotalSeconds;

    /// <summary>Process CPU seconds spent while the clock ran.</summary>
    public double CpuSeconds => cpuBefore + cpuRun + (wall.IsRunning ? (ProcessCpu() - cpuAtStart).TotalSeconds : 0);

    public void Pause()
    {
        if (!wall.IsRunning) return;
        cpuRun += (ProcessCpu() - cpuAtStart).TotalSeconds;
        wall.Stop();
    }

    public void Resume()
    {
        if (wall.IsRunning) return;
        cpuAtStart = ProcessCpu();
        wall.Start();
    }

    /// <summary>Runs <paramref name="action"/> with the clock paused.</summary>
    public T Paused<T>(Func<T> action)
    {
        Pause();
        try { return action(); }
        finally { Resume(); }
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
