using System.Text.Json;
using Xunit;

namespace SelfSup.Tests.Cli;

/// <summary>
/// Real `selfsup pretrain` processes killed (SIGKILL), interrupted (SIGINT) and terminated (SIGTERM) inside an
/// epoch, then resumed: the losses of every step equal those of an uninterrupted run.
/// </summary>
public sealed class InterruptionTests
{
    // 1600 images, batch 16: 100 steps per epoch, 2 epochs; a checkpoint every 5 steps
    private static string[] Args(string data, string run, params string[] extra) =>
    [
        "pretrain", "--data-dir", data, "--width", "8", "--no-channels-last", "--proj-dim", "16", "--batch-size", "16",
        "--epochs", "2", "--threads", "1", "--log-every", "1", "--checkpoint-every", "5", "--no-probe", "--out", run, .. extra,
    ];

    private static (long Step, double Loss)[] Metrics(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("step").GetInt64(), e.GetProperty("loss").GetDouble())).ToArray();

    /// <summary>Waits until the run has a finished checkpoint past step <paramref name="afterStep"/>, while the process still runs.</summary>
    private static string WaitForCheckpoint(CliProcess.Running running, string run, int afterStep)
    {
        var started = DateTime.UtcNow;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (running.Process.HasExited) // (reading Stderr.Result before this would wait for the process to end)
                Assert.Fail($"the run ended before it could be interrupted: {running.Stderr.Result}");
            var dir = Path.Combine(run, "checkpoints");
            var found = Directory.Exists(dir) ? Directory.GetDirectories(dir, "step-*")
                .FirstOrDefault(d => !d.EndsWith(".tmp") && long.Parse(Path.GetFileName(d)[5..]) > afterStep && File.Exists(Path.Combine(d, "state.json"))) : null;
            if (found is not null)
                return $"{Path.GetFileName(found)} after {(DateTime.UtcNow - started).TotalSeconds:F1} s, {File.ReadLines(Path.Combine(run, "metrics.jsonl")).Count()} metrics lines";
            Thread.Sleep(10);
        }
        throw new TimeoutException($"no checkpoint after step {afterStep} appeared in {run}");
    }

    [Fact]
    public void Killed_interrupted_and_terminated_runs_resume_to_the_same_losses()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 1600);
        var straight = CliProcess.Run(Args(dir.File("data"), dir.File("straight")));
        Assert.True(straight.ExitCode == 0, straight.Stderr);
        var expected = Metrics(dir.File("straight"));
        Assert.Equal(200, expected.Length);

        // SIGKILL inside the first epoch: --resume continues from the newest complete checkpoint
        string killed = dir.File("killed");
        var a = CliProcess.Start(Args(dir.File("data"), killed));
        WaitForCheckpoint(a, killed, 5);
        a.Process.Kill();
        Assert.True(File.ReadLines(Path.Combine(killed, "metrics.jsonl")).Count() < 200, "the run finished before SIGKILL");
        a.Wait(TimeSpan.FromSeconds(30));
        var resumed = CliProcess.Run("pretrain", "--resume", "--out", killed, "--no-probe");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(expected, Metrics(killed));

        // Ctrl-C: a checkpoint after the current step, the resume command printed, exit 130
        string interrupted = dir.File("interrupted");
        var b = CliProcess.Start(Args(dir.File("data"), interrupted));
        WaitForCheckpoint(b, interrupted, 5);
        string masks = b.SignalMasks();
        b.Signal("INT");
        var stopped = b.Wait(TimeSpan.FromSeconds(60));
        Assert.True(stopped.ExitCode == 130, $"exit {stopped.ExitCode} ({masks}): {stopped.Stderr}");
        Assert.Contains($"pretrain --resume --out {interrupted}", stopped.Stdout);

        // a flag that changes the maths is refused on resume, naming the key and both values
        var refused = CliProcess.Run("pretrain", "--resume", "--out", interrupted, "--lr", "0.5", "--no-probe");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("lr", refused.Stderr);
        Assert.Contains("0.001", refused.Stderr);
        Assert.Contains("0.5", refused.Stderr);

        // resume, then SIGTERM in the second epoch: exit 143; resume again to the end
        var c = CliProcess.Start("pretrain", "--resume", "--out", interrupted, "--no-probe");
        WaitForCheckpoint(c, interrupted, 105);
        c.Signal("TERM");
        var terminated = c.Wait(TimeSpan.FromSeconds(60));
        Assert.True(terminated.ExitCode == 143, $"exit {terminated.ExitCode}: {terminated.Stderr}");
        var last = CliProcess.Run("pretrain", "--resume", "--out", interrupted, "--no-probe");
        Assert.True(last.ExitCode == 0, last.Stderr);
        Assert.Equal(expected, Metrics(interrupted));
    }

    [Fact]
    public void A_second_ctrl_c_exits_at_once_and_leaves_the_finished_checkpoints_usable()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 1600);
        string run = dir.File("run");
        var p = CliProcess.Start(Args(dir.File("data"), run));
        WaitForCheckpoint(p, run, 5);
        p.Signal("INT");
        Thread.Sleep(30);
        p.Signal("INT");
        var ended = p.Wait(TimeSpan.FromSeconds(30));
        Assert.True(ended.ExitCode == 130, $"exit {ended.ExitCode}: {ended.Stderr}");
        Assert.True(File.ReadLines(Path.Combine(run, "metrics.jsonl")).Count() < 200, "the run finished before the signals");
        var warnings = new List<string>();
        string? latest;
        try { latest = SelfSup.Training.Checkpoint.Latest(new SelfSup.Training.RunDirectory(run), warnings.Add); }
        catch (SelfSupError e) { throw new Xunit.Sdk.XunitException($"{e.Message}\n{string.Join("\n", warnings)}"); }
        Assert.NotNull(latest);
        Assert.Null(SelfSup.Training.Checkpoint.Problem(latest!));
        var resumed = CliProcess.Run("pretrain", "--resume", "--out", run, "--no-probe");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
    }
}
