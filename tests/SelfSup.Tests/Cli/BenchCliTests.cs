using System.Globalization;
using Xunit;

namespace SelfSup.Tests.Cli;

/// <summary>The benchmark verbs run end to end on tiny settings and end with their documented last line.</summary>
public sealed class BenchCliTests
{
    private static double LastValue(CliProcess.Result r, string key)
    {
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        var last = r.Stdout.Trim().Split('\n').Last().Trim();
        Assert.StartsWith(key + "=", last);
        return double.Parse(last[(key.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static readonly string[] Tiny = ["--width", "8", "--batch", "4", "--image", "16", "--channels", "1", "--proj-dim", "16", "--steps", "2", "--threads", "1"];

    [Fact]
    public void StepPrintsImagesPerSecond() =>
        Assert.True(LastValue(CliProcess.Run(["bench", "step", .. Tiny]), "images_per_s") > 0);

    [Fact]
    public void StepOnTheCpuDeviceTimesThePhasesOfTheTrainersStep()
    {
        var r = CliProcess.Run(["bench", "step", "--device", "cpu", .. Tiny]);
        Assert.True(LastValue(r, "images_per_s") > 0);
        var phases = r.Stdout.Split('\n').Single(l => l.StartsWith("phases"));
        var seconds = System.Text.RegularExpressions.Regex.Matches(phases, @"[0-9]+\.[0-9]+").Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, seconds.Count);
        Assert.True(seconds[0] > 0 && seconds[1] > 0, phases);   // forward+loss and backward take time; the optimiser may round to 0
    }

    [Fact]
    public void StepRejectsAnUnavailableDeviceAndABadTunerSettingInOneLine()
    {
        if (!TorchSharp.torch.cuda.is_available())
        {
            var cuda = CliProcess.Run(["bench", "step", "--device", "cuda", .. Tiny]);
            Assert.NotEqual(0, cuda.ExitCode);
            Assert.Contains("use --device cpu", cuda.Stderr);
            Assert.Single(cuda.Stderr.Trim().Split('\n'));
        }
        var tuner = CliProcess.Run(["bench", "step", "--cudnn-benchmark", "maybe", .. Tiny]);
        Assert.NotEqual(0, tuner.ExitCode);
        Assert.Contains("--cudnn-benchmark 'maybe'", tuner.Stderr);
    }

    [Fact]
    public void DoctorOnAnUnavailableDeviceExitsOneNamingTheFix()
    {
        if (TorchSharp.torch.cuda.is_available()) return;   // the case needs a machine without CUDA
        var r = CliProcess.Run("doctor", "--device", "cuda");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAIL libtorch and device", r.Stdout);
        Assert.Contains("use --device cpu", r.Stdout);
    }

    [Fact]
    public void PipelinePrintsTheRatioToPremadeTensors() =>
        Assert.InRange(LastValue(CliProcess.Run(["bench", "pipeline", .. Tiny]), "pipeline_over_premade"), 0.01, 100);

    [Fact]
    public void LossPrintsSecondsAndRejectsUnknownMethods()
    {
        Assert.True(LastValue(CliProcess.Run("bench", "loss", "--method", "bt-pairwise", "--views", "4", "--proj-dim", "32", "--batch", "16", "--steps", "2"), "seconds") > 0);
        var bad = CliProcess.Run("bench", "loss", "--method", "simclr");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("simclr", bad.Stderr);
    }
}
