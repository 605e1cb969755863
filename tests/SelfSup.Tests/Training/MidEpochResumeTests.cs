using System.Text.Json;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Training;

/// <summary>Stops inside an epoch (steps cap, stop request, time budget, damaged checkpoints) and exact resumes.</summary>
public sealed class MidEpochResumeTests
{
    // 48 images, batch 8: 6 steps per epoch
    // bf16 runs at width 16 (channels-last, the path real runs take; see TrainConfig.MinBf16CpuWidth)
    private static TrainConfig Tiny(string dataDir, int epochs = 2, string precision = "fp32") => new()
    {
        DataDir = dataDir, Width = precision == "fp32" ? 8 : 16, ProjDim = 16, BatchSize = 8, Epochs = epochs, LogEvery = 1, Threads = 1, Seed = 3, Precision = precision,
    };

    private static (long Step, double Loss)[] Metrics(RunDirectory run) =>
        File.ReadAllLines(run.MetricsPath).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("step").GetInt64(), e.GetProperty("loss").GetDouble())).ToArray();

    private static (TempDir Dir, (long, double)[] Straight) Straight(string precision = "fp32")
    {
        var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var run = new RunDirectory(dir.File("straight"));
        new Pretrainer(Tiny(dir.File("data"), precision: precision), run).Run(false).Encoder.Dispose();
        return (dir, Metrics(run));
    }

    [Fact]
    public void A_steps_cap_inside_an_epoch_checkpoints_there_and_a_resume_continues_exactly()
    {
        var (dir, straight) = Straight();
        using var _ = dir;
        var run = new RunDirectory(dir.File("capped"));
        var first = new Pretrainer(Tiny(dir.File("data")) with { Steps = 4 }, run).Run(false);
        first.Encoder.Dispose();
        Assert.Equal(4, first.State.Step);
        Assert.Equal(0, first.State.Epoch);
        Assert.Equal(4, first.State.BatchInEpoch);
        Assert.Equal("steps", first.State.StoppedBy);
        Assert.EndsWith("step-000000004", first.CheckpointDir);
        Assert.False(File.Exists(run.EpochsPath) && File.ReadAllText(run.EpochsPath).Length > 0, "a partial epoch was recorded as finished");

        var second = new Pretrainer(Tiny(dir.File("data")), run).Run(true);
        second.Encoder.Dispose();
        Assert.Equal(12, second.State.Step);
        Assert.True(second.State.Finished);
        Assert.Equal(straight, Metrics(run));
        Assert.Equal(2, File.ReadAllLines(run.EpochsPath).Length);
    }

    [Fact]
    public void A_stop_request_ends_after_the_step_with_a_checkpoint_and_the_resume_matches()
    {
        var (dir, straight) = Straight();
        using var _ = dir;
        var run = new RunDirectory(dir.File("stopped"));
        var stop = new StopRequest();
        var first = new Pretrainer(Tiny(dir.File("data")), run, s => { if (s.Step == 8) stop.Request("SIGINT"); }) { Stop = stop }.Run(false);
        first.Encoder.Dispose();
        Assert.Equal("SIGINT", first.State.StoppedBy);
        Assert.False(first.State.Finished);
        Assert.Equal(8, first.State.Step);
        Assert.Equal((1, 2), (first.State.Epoch, first.State.BatchInEpoch));
        Assert.Equal(first.CheckpointDir, Checkpoint.Latest(run));

        new Pretrainer(Tiny(dir.File("data")), run).Run(true).Encoder.Dispose();
        Assert.Equal(straight, Metrics(run));
    }

    [Fact]
    public void A_bf16_run_stopped_inside_an_epoch_resumes_exactly_and_is_not_the_fp32_run()
    {
        var (dir, straight) = Straight("bf16");
        using var _ = dir;
        var run = new RunDirectory(dir.File("stopped"));
        var stop = new StopRequest();
        var first = new Pretrainer(Tiny(dir.File("data"), precision: "bf16"), run, s => { if (s.Step == 5) stop.Request("SIGTERM"); }) { Stop = stop }.Run(false);
        first.Encoder.Dispose();
        Assert.Equal(5, first.State.Step);
        Assert.Equal("bf16", run.ReadConfig().Precision);
        new Pretrainer(Tiny(dir.File("data"), precision: "bf16"), run).Run(true).Encoder.Dispose();
        Assert.Equal(straight, Metrics(run));

        var fp32 = new RunDirectory(dir.File("fp32"));
        new Pretrainer(Tiny(dir.File("data")), fp32).Run(false).Encoder.Dispose();
        var losses32 = Metrics(fp32);
        Assert.NotEqual(losses32, straight);
        // same seed, same views: the first step's loss differs only by bf16 rounding (amplified by batch statistics of 8 images)
        Assert.InRange(straight[0].Item2 / losses32[0].Item2, 0.8, 1.25);
    }

    [Fact]
    public void A_time_budget_stops_inside_the_epoch_and_more_time_finishes_the_run_exactly()
    {
        var (dir, straight) = Straight();
        using var _ = dir;
        var run = new RunDirectory(dir.File("budget"));
        var first = new Pretrainer(Tiny(dir.File("data")) with { TimeBudgetMinutes = 1e-6 }, run).Run(false);
        first.Encoder.Dispose();
        Assert.Equal("time-budget", first.State.StoppedBy);
        Assert.True(first.State.Finished);
        Assert.Equal(1, first.State.Step);
        Assert.Equal((0, 1), (first.State.Epoch, first.State.BatchInEpoch));
        Assert.False(File.Exists(run.EpochsPath) && File.ReadAllText(run.EpochsPath).Length > 0, "a partial epoch was recorded as finished");

        var more = new Pretrainer(Tiny(dir.File("data")) with { TimeBudgetMinutes = 0 }, run).Run(true);
        more.Encoder.Dispose();
        Assert.Equal(12, more.State.Step);
        Assert.Null(more.State.StoppedBy);
        Assert.Equal(straight, Metrics(run));
    }

    [Fact]
    public void Checkpoints_every_N_steps_keep_only_the_newest_K_and_logs_after_the_checkpoint_are_dropped_on_resume()
    {
        var (dir, straight) = Straight();
        using var _ = dir;
        var run = new RunDirectory(dir.File("every"));
        var config = Tiny(dir.File("data")) with { CheckpointEvery = 2, KeepCheckpoints = 2 };
        new Pretrainer(config with { Steps = 9 }, run).Run(false).Encoder.Dispose();
        var names = Directory.GetDirectories(run.CheckpointsPath).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(["step-000000008", "step-000000009"], names); // 2, 4 and epoch-0001 (step 6) were pruned

        // a crash after the checkpoint leaves log lines of steps that will be trained again
        File.AppendAllText(run.MetricsPath, "{\"step\":10,\"loss\":123}\n{\"step\":11,\"lo");
        File.AppendAllText(run.EpochsPath, "{\"epoch\":2,\"step\":12}\n");
        new Pretrainer(config, run).Run(true).Encoder.Dispose();
        Assert.Equal(straight, Metrics(run));
        Assert.Equal([1, 2], File.ReadAllLines(run.EpochsPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()));
    }

    [Theory]
    [InlineData("truncate-model")]
    [InlineData("zero-optimizer")]
    [InlineData("delete-optimizer")]
    [InlineData("garble-state")]
    public void A_damaged_newest_checkpoint_is_skipped_with_a_warning_and_the_previous_one_is_used(string damage)
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var run = new RunDirectory(dir.File("run"));
        new Pretrainer(Tiny(dir.File("data")) with { CheckpointEvery = 2, Steps = 4 }, run).Run(false).Encoder.Dispose();
        string newest = Path.Combine(run.CheckpointsPath, "step-000000004"), previous = Path.Combine(run.CheckpointsPath, "step-000000002");
        Assert.Equal(newest, Checkpoint.Latest(run));
        Damage(newest, damage);

        var warnings = new List<string>();
        Assert.Equal(previous, Checkpoint.Latest(run, warnings.Add));
        Assert.Contains(warnings, w => w.Contains(newest));
        var resumed = new Pretrainer(Tiny(dir.File("data")) with { Steps = 6 }, run) { Warn = warnings.Add }.Run(true);
        resumed.Encoder.Dispose();
        Assert.Equal(6, resumed.State.Step);

        // nothing usable at all: a clear error
        foreach (var d in Directory.GetDirectories(run.CheckpointsPath)) Damage(d, "truncate-model");
        var e = Assert.Throws<SelfSupError>(() => Checkpoint.Latest(run, _ => { }));
        Assert.Contains("no usable checkpoint", e.Message);
    }

    private static void Damage(string checkpoint, string how)
    {
        switch (how)
        {
            case "truncate-model":
                var model = Path.Combine(checkpoint, "model.bin");
                File.WriteAllBytes(model, File.ReadAllBytes(model)[..100]);
                break;
            case "zero-optimizer":
                var opt = Path.Combine(checkpoint, "optimizer.bin");
                File.WriteAllBytes(opt, new byte[new FileInfo(opt).Length]);
                break;
            case "delete-optimizer":
                File.Delete(Path.Combine(checkpoint, "optimizer.bin"));
                break;
            default:
                File.WriteAllText(Path.Combine(checkpoint, "state.json"), "{\"epoch\": 1, \"st");
                break;
        }
    }

    [Fact]
    public void Collapse_stops_training_with_the_step_and_a_fix_and_keeps_the_checkpoint()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var run = new RunDirectory(dir.File("run"));
        new Pretrainer(Tiny(dir.File("data"), epochs: 1), run).Run(false).Encoder.Dispose();
        var checkpoint = Checkpoint.Latest(run)!;
        // a threshold no real embedding reaches makes every step count as collapsed
        var e = Assert.Throws<SelfSupError>(() => new Pretrainer(Tiny(dir.File("data"), epochs: 2) with { CollapseThreshold = 100, CollapseSteps = 3 }, run).Run(true));
        Assert.Contains("collapsed at step 9", e.Message);
        Assert.Contains(checkpoint, e.Message);
        Assert.Contains("`beta_c`", e.Message);
        Assert.Equal(checkpoint, Checkpoint.Latest(run));
    }

    [Fact]
    public void The_data_folder_is_stored_as_an_absolute_path()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var run = new RunDirectory(dir.File("run"));
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, dir.File("data"));
        Assert.False(Path.IsPathRooted(relative));
        new Pretrainer(Tiny(relative) with { Steps = 1 }, run).Run(false).Encoder.Dispose();
        Assert.Equal(Path.GetFullPath(dir.File("data")), run.ReadConfig().DataDir);
    }
}
