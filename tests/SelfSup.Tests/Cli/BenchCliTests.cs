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
