using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Runs the cases of one format's fuzz test and sorts each into an outcome:
/// <list type="bullet">
/// <item><c>accepted-correct</c> — the reader returned data and the test's check found it consistent;</item>
/// <item><c>rejected-with-clear-error</c> — a <see cref="SelfSupError"/> whose message is one line and names the file;</item>
/// <item>bad — anything else: another exception type (a crash), an unclear error, data the check found wrong,
/// a case that took longer than <see cref="HangSeconds"/>, or one that allocated more managed memory on its
/// thread than the limit (a size field trusted before being checked against the file). Native allocations
/// (SkiaSharp bitmaps, torch tensors) are not counted here: the readers check sizes before making them.</item>
/// </list>
/// <see cref="Finish"/> writes the counts per outcome and per mutation kind and fails on any bad outcome.
/// </summary>
public sealed class FuzzRun
{
    /// <summary>A case running longer than this is reported as a hang.</summary>
    public const int HangSeconds = 20;

    private readonly string _format;
    private readonly ITestOutputHelper _output;
    private readonly long _allocationLimit;
    private readonly Dictionary<string, (int Accepted, int Rejected, int Bad)> _byKind = [];
    private readonly List<string> _bad = [];
    private readonly List<string> _sampleErrors = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private (TimeSpan Time, string Case) _slowest;

    /// <param name="allocationLimit">Managed bytes one case may allocate on its thread before it counts as a huge allocation.</param>
    public FuzzRun(string format, ITestOutputHelper output, long allocationLimit = 64L << 20)
    {
        _format = format;
        _output = output;
        _allocationLimit = allocationLimit;
    }

    public int Cases { get; private set; }

    /// <summary>
    /// Runs one case. <paramref name="run"/> reads the mutated input and checks what it got, returning null when the
    /// result is right and a description of what is wrong otherwise; a <see cref="SelfSupError"/> it throws must be one line
    /// and contain <paramref name="namedFile"/>.
    /// </summary>
    public void Case(Mutation mutation, string namedFile, Func<string?> run)
    {
        Cases++;
        string? bad = null;
        bool accepted = false;
        var clock = Stopwatch.StartNew();
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            string? outcome;
            try
            {
                var wrong = run();
                accepted = wrong is null;
                outcome = wrong is null ? null : "silently wrong data: " + wrong;
            }
            catch (SelfSupError e)
            {
                outcome = e.Message.Contains('\n') || e.Message.Contains('\r') ? $"error is not one line: {e.Message}"
                    : !e.Message.Contains(namedFile) ? $"error does not name '{namedFile}': {e.Message}"
                    : null;
                if (outcome is null && _sampleErrors.Count < 6 && !_sampleErrors.Any(s => s[..Math.Min(40, s.Length)] == e.Message[..Math.Min(40, e.Message.Length)]))
                    _sampleErrors.Add(e.Message);
            }
            catch (Exception e)
            {
                string? frame = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim();
                outcome = $"crash: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} ({frame})";
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > _allocationLimit) outcome ??= $"huge allocation: {allocated >> 20} MB";
            return outcome;
        });
        if (!task.Wait(TimeSpan.FromSeconds(HangSeconds)))
            bad = $"hang: still running after {HangSeconds} s";
        else
            bad = task.Result;

        if (clock.Elapsed > _slowest.Time) _slowest = (clock.Elapsed, $"[{mutation.Kind}] {mutation.Description}");
        _byKind.TryGetValue(mutation.Kind, out var counts);
        if (bad is not null)
        {
            counts.Bad++;
            _bad.Add($"[{mutation.Kind}] {mutation.Description} → {bad}");
        }
        else if (accepted) counts.Accepted++;
        else counts.Rejected++;
        _byKind[mutation.Kind] = counts;
        if (bad is not null && bad.StartsWith("hang")) Finish();     // the hung case still runs; stop here
    }

    /// <summary>Writes the counts and fails when any case had a bad outcome.</summary>
    public void Finish()
    {
        int accepted = _byKind.Values.Sum(c => c.Accepted), rejected = _byKind.Values.Sum(c => c.Rejected);
        _output.WriteLine($"{_format}: {Cases} cases in {_clock.Elapsed.TotalSeconds:F1} s — {accepted} accepted-correct, {rejected} rejected-with-clear-error, {_bad.Count} bad");
        foreach (var (kind, c) in _byKind.OrderBy(k => k.Key))
            _output.WriteLine($"  {kind,-9} {c.Accepted + c.Rejected + c.Bad,5} cases: {c.Accepted} accepted, {c.Rejected} rejected, {c.Bad} bad");
        _output.WriteLine($"  slowest case {_slowest.Time.TotalMilliseconds:F0} ms: {_slowest.Case}");
        foreach (var e in _sampleErrors) _output.WriteLine($"  e.g. {e}");
        foreach (var b in _bad.Take(30)) _output.WriteLine($"  BAD {b}");
        Assert.True(_bad.Count == 0, $"{_format}: {_bad.Count} of {Cases} cases crashed, hung, allocated hugely or gave wrong data:\n" + string.Join("\n", _bad.Take(30)));
    }
}
