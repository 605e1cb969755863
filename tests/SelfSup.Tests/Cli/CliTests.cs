using System.Globalization;
using System.Text.Json;
using SelfSup.IO;
using SelfSup.Tests.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Cli;

/// <summary>The real command line, run as a child process: outputs, and one-line errors with non-zero exits.</summary>
public sealed class CliTests
{
    internal static void AssertOneLineError(CliProcess.Result r, string mustContain)
    {
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length is >= 1 and <= 2, $"expected one error line, got:\n{r.Stderr}");
        Assert.StartsWith("error:", lines[0]);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void LossCommandPrintsTheReferenceValueOnItsLastLine()
    {
        var entry = RefsLocator.Entries.First(e => e.Method == "bt" && e.Shape[1] == 4 && e.LambdaExpr.Contains("0.005"));
        var r = CliProcess.Run("loss", Path.Combine(RefsLocator.Dir, entry.File), "--method", "bt", "--lambda", "0.005");
        Assert.Equal(0, r.ExitCode);
        double value = double.Parse(r.Stdout.Trim().Split('\n').Last(), CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(value - (entry.ValueFloat32 ?? entry.Value)) <= 1e-4 * Math.Abs(entry.Value), $"{value} vs {entry.Value}");
    }

    [Fact]
    public void LossCommandRejectsBadFiles()
    {
        using var dir = new TempDir();
        NpyFile.Write(dir.File("rank2.npy"), torch.randn(4, 8));
        AssertOneLineError(CliProcess.Run("loss", dir.File("rank2.npy")), "rank2.npy");
        File.WriteAllBytes(dir.File("ints.npy"), [.. "\x93NUMPY"u8, 1, 0, .. BitConverter.GetBytes((ushort)118),
            .. System.Text.Encoding.ASCII.GetBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }".PadRight(117) + "\n"), .. new byte[8]]);
        AssertOneLineError(CliProcess.Run("loss", dir.File("ints.npy")), "ints.npy");
        NpyFile.Write(dir.File("ok.npy"), torch.randn(8, 2, 4));
        AssertOneLineError(CliProcess.Run("loss", dir.File("ok.npy"), "--method", "simclr"), "simclr");
    }

    [Theory]
    [InlineData("--views", "1", "--views")]
    [InlineData("--proj-dim", "0", "--proj-dim")]
    [InlineData("--fraction", "0", "--fraction")]
    [InlineData("--fraction", "1.5", "--fraction")]
    [InlineData("--method", "simclr", "simclr")]
    [InlineData("--precision", "fp16", "--precision fp16")]
    public void PretrainRejectsBadFlagsBeforeDoingWork(string flag, string value, string mention)
    {
        using var dir = new TempDir();
        AssertOneLineError(CliProcess.Run("pretrain", flag, value, "--out", dir.File("run")), mention);
        Assert.False(File.Exists(dir.File("run/config.json")));
    }

    [Fact]
    public void MissingDataDirectoryAndCorruptGzipAreOneLineErrors()
    {
        using var dir = new TempDir();
        AssertOneLineError(CliProcess.Run("pretrain", "--data-dir", dir.File("nope"), "--out", dir.File("r1")), dir.File("nope"));
        SyntheticFashionMnist.Write(dir.File("data"));
        File.WriteAllBytes(dir.File("data/train-images-idx3-ubyte.gz"), [0x1f, 0x8b, 8, 0, 1, 2, 3]);
        AssertOneLineError(CliProcess.Run("pretrain", "--data-dir", dir.File("data"), "--out", dir.File("r2")), "train-images-idx3-ubyte.gz");
    }

    [Fact]
    public void The_library_names_settings_by_config_key_and_the_cli_shows_its_flags()
    {
        // the library's spelling: the config.json key, which sweep files and --set use too
        var e = Assert.Throws<SelfSupError>(() => new SelfSup.Training.TrainConfig { Views = 1, BatchSize = 1 }.Validate());
        Assert.Contains("`views` 1", e.Message);
        // the CLI's: every key it has a flag for, as that flag; ordinary words and unknown keys untouched
        SelfSup.Cli.FlagNames.LearnFrom(new System.CommandLine.RootCommand { Subcommands = { new System.CommandLine.Command("x") { Options = { new System.CommandLine.Option<int>("--proj-dim") } } } });
        Assert.Equal("--proj-dim 0 must be positive; views, `no_such_key` unchanged",
            SelfSup.Cli.FlagNames.InMessage("`proj_dim` 0 must be positive; views, `no_such_key` unchanged"));
        // end to end: a bad value given as a flag comes back as that flag, and as the key in a run-config file
        using var dir = new TempDir();
        var flagged = CliProcess.Run("pretrain", "--views", "1", "--out", dir.File("r1"));
        Assert.Equal(1, flagged.ExitCode);
        Assert.Contains("--views 1", flagged.Stderr);
        Assert.DoesNotContain("`", flagged.Stderr);
        Assert.Contains("`views` 1", Assert.Throws<SelfSupError>(() => SelfSup.Experiments.SweepConfig.Parse("grid:\n  views: [1]\n", "s.yaml")).Message);
    }

    [Fact]
    public void UnknownOptionIsRejected()
    {
        var r = CliProcess.Run("pretrain", "--no-such-flag");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--no-such-flag", r.Stderr);
        Assert.Contains("Run 'selfsup pretrain --help'", r.Stderr);
        var nested = CliProcess.Run("bench", "step", "--no-such-flag");
        Assert.Contains("Run 'selfsup bench step --help'", nested.Stderr);
    }

    [Fact]
    public void Pretrain_reads_settings_from_a_config_file_and_flags_override_it()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 32, testCount: 8);
        File.WriteAllText(dir.File("run.yaml"), "width: 8\nproj-dim: 32\nbatch_size: 16\nepochs: 1\nthreads: 1\n");
        var r = CliProcess.Run("pretrain", "--config", dir.File("run.yaml"), "--proj-dim", "16", "--data-dir", dir.File("data"), "--out", dir.File("run"), "--no-probe");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var saved = JsonDocument.Parse(File.ReadAllText(dir.File("run/config.json"))).RootElement;
        Assert.Equal(8, saved.GetProperty("width").GetInt32());
        Assert.Equal(16, saved.GetProperty("proj_dim").GetInt32());          // the flag won
        Assert.Equal(16, saved.GetProperty("batch_size").GetInt32());

        File.WriteAllText(dir.File("bad.yaml"), "widht: 8\n");
        AssertOneLineError(CliProcess.Run("pretrain", "--config", dir.File("bad.yaml"), "--out", dir.File("bad")), "widht");
    }

    [Fact]
    public void Help_and_usage_name_the_command_selfsup_not_the_assembly()
    {
        var root = CliProcess.Run("--help");
        Assert.Equal(0, root.ExitCode);
        Assert.Contains("selfsup [command] [options]", root.Stdout);
        var pretrain = CliProcess.Run("pretrain", "--help");
        Assert.Contains("selfsup pretrain [options]", pretrain.Stdout);
        Assert.Contains("--precision", pretrain.Stdout);
        Assert.DoesNotContain("SelfSup.Cli", root.Stdout + pretrain.Stdout);
    }

    [Fact]
    public void PretrainThenProbeWritesTheRunDirectory()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 64, testCount: 20);
        var r = CliProcess.Run("pretrain", "--data-dir", dir.File("data"), "--width", "8", "--proj-dim", "16", "--batch-size", "16",
            "--epochs", "2", "--views", "4", "--out", dir.File("run"), "--probe-epochs", "5", "--baselines", "--threads", "1", "--precision", "fp32");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var summary = JsonDocument.Parse(File.ReadAllText(dir.File("run/summary.json"))).RootElement;
        foreach (var key in new[] { "dataset", "model", "views", "proj_dim", "beta", "method", "seed", "epochs", "steps", "pretrain_seconds",
                     "images_seen", "probe_top1", "knn_top1", "baseline_pixels_top1", "baseline_random_top1" })
            Assert.True(summary.TryGetProperty(key, out _), $"summary.json lacks {key}");
        Assert.Equal(8, summary.GetProperty("steps").GetInt32());
        Assert.Equal(4.0 / 16, summary.GetProperty("beta").GetDouble(), 9);
        Assert.InRange(summary.GetProperty("probe_top1").GetDouble(), 0, 100);
        Assert.True(File.Exists(dir.File("run/config.json")));
        Assert.True(Directory.Exists(dir.File("run/checkpoints/epoch-0002")));

        Assert.Equal("fp32", summary.GetProperty("probe_precision").GetString());
        var again = CliProcess.Run("probe", dir.File("run"), "--probe-epochs", "5", "--no-knn", "--precision", "bf16");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("probe_top1=", again.Stdout);
        var probed = JsonDocument.Parse(File.ReadAllText(dir.File("run/summary.json"))).RootElement;
        Assert.Equal("bf16", probed.GetProperty("probe_precision").GetString());

        var exists = CliProcess.Run("pretrain", "--data-dir", dir.File("data"), "--out", dir.File("run"));
        AssertOneLineError(exists, "--resume");
    }

    [Fact]
    public void ViewsCommandWritesAPngGrid()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"));
        var r = CliProcess.Run("views", "--data-dir", dir.File("data"), "--views", "4", "--count", "3", "--out", dir.File("grid.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var bytes = File.ReadAllBytes(dir.File("grid.png"));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes.Take(4));
        using var bitmap = SkiaSharp.SKBitmap.Decode(bytes);
        Assert.Equal(SelfSup.Views.ViewGrid.GridSize(3, 4, 28, 28, 28, 3), (bitmap.Width, bitmap.Height));
    }
}
