using System.Text.Json;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Training;

/// <summary>End-to-end trainer behaviour on a tiny synthetic Fashion-MNIST (width-8 ResNet-18).</summary>
public sealed class PretrainerTests
{
    private static TrainConfig Tiny(string dataDir, int seed = 0, int epochs = 1, long steps = 0) => new()
    {
        DataDir = dataDir, Width = 8, ProjDim = 16, BatchSize = 8, Epochs = epochs, Steps = steps, Seed = seed,
        LogEvery = 1, Threads = 1,
    };

    private static double[] Losses(RunDirectory run) =>
        File.ReadAllLines(run.MetricsPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();

    [Fact]
    public void SameSeedGivesIdenticalLossesAndAnotherSeedDoesNot()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 200);
        double[] Run(string name, int seed)
        {
            var run = new RunDirectory(dir.File(name));
            new Pretrainer(Tiny(dir.File("data"), seed, epochs: 1, steps: 20), run).Run(resume: false).Encoder.Dispose();
            return Losses(run);
        }
        var a = Run("a", 1);
        var b = Run("b", 1);
        var c = Run("c", 2);
        Assert.Equal(20, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a, l => Assert.True(double.IsFinite(l)));
    }

    /// <summary>
    /// A step whose first backward gives a non-finite gradient (poisoned here, as libtorch's CPU kernels were seen to do
    /// rarely) is recomputed once, with a warning, and training goes on exactly as if it had not happened: the same
    /// losses, weights and BatchNorm running statistics (which the first, discarded forward must not leave updated).
    /// </summary>
    [Fact]
    public void A_step_recomputed_after_a_non_finite_gradient_leaves_no_trace()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 64);
        var clean = new RunDirectory(dir.File("clean"));
        using var expected = new Pretrainer(Tiny(dir.File("data"), steps: 4), clean).Run(resume: false).Encoder;
        var poisoned = new RunDirectory(dir.File("poisoned"));
        var warnings = new List<string>();
        int passes = 0;
        using var actual = new Pretrainer(Tiny(dir.File("data"), steps: 4), poisoned)
        {
            Warn = warnings.Add,
            AfterBackward = (encoder, step) =>
            {
                if (step == 1 && passes++ == 0) encoder.parameters().First().grad!.fill_(double.NaN);
            },
        }.Run(resume: false).Encoder;

        Assert.Equal(2, passes);
        Assert.Contains(warnings, w => w.Contains("non-finite gradient at step 2") && w.Contains("recomputing"));
        Assert.Equal(Losses(clean), Losses(poisoned));
        var theirs = actual.state_dict();
        foreach (var (name, mine) in expected.state_dict())
            Assert.True(mine.equal(theirs[name]).all().item<bool>(), $"{name} differs from the clean run's");
    }

    [Fact]
    public void ResumeContinuesExactlyLikeAnUninterruptedRun()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var straight = new RunDirectory(dir.File("straight"));
        new Pretrainer(Tiny(dir.File("data"), epochs: 3), straight).Run(false).Encoder.Dispose();

        var resumed = new RunDirectory(dir.File("resumed"));
        new Pretrainer(Tiny(dir.File("data"), epochs: 1), resumed).Run(false).Encoder.Dispose();
        Assert.NotNull(Checkpoint.Latest(resumed));
        var result = new Pretrainer(Tiny(dir.File("data"), epochs: 3), resumed).Run(true);
        result.Encoder.Dispose();

        Assert.Equal(3, result.State.Epoch);
        Assert.Equal(18, result.State.Step);
        Assert.True(result.State.Finished);
        Assert.Equal(Losses(straight), Losses(resumed));
        Assert.Equal(3, Directory.GetDirectories(resumed.CheckpointsPath, "epoch-*").Length);
        var state = Checkpoint.ReadState(Checkpoint.Latest(resumed)!);
        Assert.Equal(0, state.BatchInEpoch);
        Assert.NotNull(state.Files);
        Assert.NotNull(state.Config);
        Assert.True(File.Exists(Path.Combine(Checkpoint.Latest(resumed)!, "optimizer.bin")));
    }

    [Fact]
    public void DivergingLossStopsWithAClearErrorAndKeepsTheLastCheckpoint()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var run = new RunDirectory(dir.File("run"));
        new Pretrainer(Tiny(dir.File("data"), epochs: 1), run).Run(false).Encoder.Dispose();
        var checkpoint = Checkpoint.Latest(run)!;
        var before = File.ReadAllBytes(Path.Combine(checkpoint, "model.bin"));

        var exploding = Tiny(dir.File("data"), epochs: 4) with { Lr = 1e30, Method = "vicreg" };
        var e = Assert.Throws<SelfSupError>(() => new Pretrainer(exploding, run).Run(true));
        Assert.Contains("loss became", e.Message);
        Assert.Contains(checkpoint, e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(checkpoint, "model.bin")));
    }

    [Fact]
    public void MetricsHaveTheDocumentedFields()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 40);
        var run = new RunDirectory(dir.File("run"));
        new Pretrainer(Tiny(dir.File("data"), epochs: 1) with { Views = 4, Fraction = 0.5 }, run).Run(false).Encoder.Dispose();
        var first = JsonDocument.Parse(File.ReadLines(run.MetricsPath).First()).RootElement;
        foreach (var key in new[] { "step", "epoch", "loss", "lr", "images_per_s" }) Assert.True(first.TryGetProperty(key, out _), key);
        // the memory breakdown: resident set, malloc's bytes in use and held (held ≥ in use), the .NET heap
        double rss = first.GetProperty("rss_mb").GetDouble(), inUse = first.GetProperty("native_in_use_mb").GetDouble();
        double held = first.GetProperty("native_held_mb").GetDouble(), managed = first.GetProperty("managed_mb").GetDouble();
        Assert.InRange(rss, 50, 100_000);
        Assert.InRange(inUse, 1, held);
        Assert.InRange(managed, 0.1, rss);
        var subset = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Path, "subset.json"))).RootElement;
        Assert.Equal(20, subset.GetProperty("indices").GetArrayLength());
        Assert.Equal(4, run.ReadConfig().Views);
        var epoch = JsonDocument.Parse(File.ReadLines(run.EpochsPath).Single()).RootElement;
        Assert.InRange(epoch.GetProperty("peak_rss_mb").GetDouble(), 50, 100_000);
    }

    [Theory]
    [InlineData("views", "`views`")]
    [InlineData("proj", "`proj_dim`")]
    [InlineData("method", "`method`")]
    [InlineData("fraction", "`fraction`")]
    [InlineData("beta", "`beta`")]
    [InlineData("model", "`model`")]
    [InlineData("hidden", "`proj_hidden`")]
    public void InvalidConfigNamesTheSetting(string what, string flag)
    {
        var config = what switch
        {
            "views" => new TrainConfig { Views = 1 },
            "proj" => new TrainConfig { ProjDim = 0 },
            "method" => new TrainConfig { Method = "simclr" },
            "fraction" => new TrainConfig { Fraction = 0 },
            "model" => new TrainConfig { Model = "vgg" },       // the backbone's and projector's rules, checked before any data is read
            "hidden" => new TrainConfig { ProjHidden = 0 },
            _ => new TrainConfig { Beta = "big" },
        };
        Assert.Contains(flag, Assert.Throws<SelfSupError>(config.Validate).Message);
    }

    [Fact]
    public void WarmupCosineScheduleRisesThenDecays()
    {
        var s = LearningRateSchedule.Create("warmup-cosine", 1.0, totalSteps: 100, warmupSteps: 10);
        Assert.Equal(0.1, s.At(0), 6);
        Assert.Equal(1.0, s.At(9), 6);
        Assert.True(s.At(50) < s.At(20));
        Assert.Equal(0.001, s.At(100), 6);
        Assert.Equal(0.5, LearningRateSchedule.Create("none", 0.5, 10, 0).At(7));
    }
}
