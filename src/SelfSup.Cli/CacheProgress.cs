using System.Diagnostics;

namespace SelfSup.Cli;

/// <summary>
/// Reports the first-use build of an image cache (decoding every image once) as a line on stderr every
/// few seconds once it has taken more than a moment, so a long ImageNet decode is visible without
/// disturbing the progress bars on stdout; quick builds print nothing.
/// </summary>
public static class CacheProgress
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    private static double _started, _last;
    private static bool _shown;

    public static void Report(string what, long done, long total)
    {
        double now = Clock.Elapsed.TotalSeconds;
        if (done == 0) { _started = now; _last = now; _shown = false; return; }
        bool finished = done >= total;
        if (finished ? !_shown : now - _started < 3 || now - _last < 5) return;
        _last = now;
        _shown = true;
        Console.Error.WriteLine($"[cache] {what}: {done}/{total} images decoded{(finished ? "; later runs memory-map the cache" : "")}");
    }
}
