using System.Text.Json;
using Xunit;

namespace SelfSup.Tests.Cli;

/// <summary>
/// The experiment verbs through the real command line on a tiny synthetic Fashion-MNIST: pretrain with
/// periodic evaluation, a sweep (child processes, skip finished cells, resume an interrupted one), report,
/// spectrum --json, reproduce --dry-run.
/// </summary>
public sealed class ExperimentCliTests
{
    private static void AssertOk(CliProcess.Result r) => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stderr}\n{r.Stdout}");

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static JsonElement[] Lines(string path) => File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

    [Fact]
    public void PretrainWithEvalEveryWritesOneEvaluationPerEpoch()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 64, testCount: 30);
        AssertOk(CliProcess.Run("pretrain", "--data-dir", dir.File("data"), "--width", "8", "--proj-dim", "16", "--batch-size", "16", "--epochs", "2",
            "--threads", "1", "--eval-every", "1", "--eval-probe-epochs", "2", "--eval-images", "40", "--no-probe", "--out", dir.File("run")));
        var evals = Lines(dir.File("run/evals.jsonl"));
        Assert.Equal([1, 2], evals.Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Equal([64L, 128L], evals.Select(e => e.GetProperty("images_seen").GetInt64()));
        Assert.All(evals, e =>
        {
            Assert.InRange(e.GetProperty("probe_top1").GetDouble(), 0, 100);
            Assert.InRange(e.GetProperty("knn_top1").GetDouble(), 0, 100);
            Assert.True(e.GetProperty("effective_rank").GetDouble() >= 1);
            Assert.True(e.GetProperty("embedding_effective_rank").GetDouble() >= 1);
            Assert.Equal(40, e.GetProperty("train_images").GetInt32());
            Assert.True(e.GetProperty("pretrain_seconds").GetDouble() > 0);
        });
        Assert.True(evals[1].GetProperty("pretrain_seconds").GetDouble() > evals[0].GetProperty("pretrain_seconds").GetDouble());
        Assert.Equal(1, Json(dir.File("run/config.json")).GetProperty("eval_every").GetInt32());
    }

    [Fact]
    public void SweepRunsSkipsAndResumesCellsThenReportAndSpectrumReadThem()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 64, testCount: 30);
        File.WriteAllText(dir.File("sweep.yaml"), $"""
            name: tiny
            fixed:
              data_dir: {dir.File("data")}
              width: 8
              threads: 1          # 2 intra-op threads gave rare non-finite gradients in the resumed cell (see the closing note of issue 8)
              batch_size: 16
              epochs: 2
              eval_every: 1
              eval_probe_epochs: 2
            readout:
              probe_epochs: 2
            grid:
              proj_dim: [16, 32]
            """);
        string outDir = dir.File("sweep");
        var first = CliProcess.Run("sweep", dir.File("sweep.yaml"), "--out", outDir, "--parallel", "2");
        AssertOk(first);
        Assert.Contains("sweep: 2 cells run, 0 already finished, 0 failed", first.Stdout);
        foreach (var cell in new[] { "d16", "d32" })
        {
            var summary = Json(Path.Combine(outDir, cell, "summary.json"));
            Assert.True(summary.GetProperty("finished").GetBoolean());
            Assert.InRange(summary.GetProperty("probe_top1").GetDouble(), 0, 100);
            Assert.Equal(Math.Max(1, Environment.ProcessorCount / 2), Json(Path.Combine(outDir, cell, "config.json")).GetProperty("threads").GetInt32());   // cores / --parallel 2
            Assert.Equal(2, Lines(Path.Combine(outDir, cell, "evals.jsonl")).Length);
        }
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
        Assert.True(File.Exists(Path.Combine(outDir, "plots", "tiny-accuracy-vs-projector-dim.png")));

        // rerun: nothing to do
        var again = CliProcess.Run("sweep", dir.File("sweep.yaml"), "--out", outDir, "--no-report");
        AssertOk(again);
        Assert.Contains("sweep: 0 cells run, 2 already finished, 0 failed", again.Stdout);

        // interrupt d32 after its first epoch: drop the last checkpoint, the summary and the second evaluation
        string d32 = Path.Combine(outDir, "d32");
        Directory.Delete(Path.Combine(d32, "checkpoints", "epoch-0002"), recursive: true);
        File.Delete(Path.Combine(d32, "summary.json"));
        File.WriteAllLines(Path.Combine(d32, "evals.jsonl"), File.ReadAllLines(Path.Combine(d32, "evals.jsonl")).Take(1));
        var resumed = CliProcess.Run("sweep", dir.File("sweep.yaml"), "--out", outDir, "--no-report");
        AssertOk(resumed);
        Assert.Contains("sweep: 1 cells run, 1 already finished, 0 failed", resumed.Stdout);
        Assert.Equal([1, 2], Lines(Path.Combine(d32, "evals.jsonl")).Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Equal(8, Json(Path.Combine(d32, "summary.json")).GetProperty("steps").GetInt32());   // 4 steps per epoch, continued from epoch 1

        // another setting in the same folder is refused
        var changed = CliProcess.Run("sweep", dir.File("sweep.yaml"), "--out", outDir, "--set", "width=16");
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains("holds a run with other settings (width: 8 → 16)", changed.Stderr);

        var report = CliProcess.Run("report", outDir, "--target", "5");
        AssertOk(report);
        var md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("| d | accuracy (%) |", md);
        Assert.Contains("**5.0 %**", md);

        string d16 = Path.Combine(outDir, "d16");
        var spectrum = CliProcess.Run("spectrum", d16, "--json");
        AssertOk(spectrum);
        var json = JsonDocument.Parse(spectrum.Stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(64, json.GetProperty("eigenvalues").GetArrayLength());   // width-8 ResNet-18: 8 × 8 feature channels
        Assert.True(json.GetProperty("effective_rank").GetDouble() >= 1);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("alpha").ValueKind);
        Assert.Equal(16, json.GetProperty("embedding").GetProperty("eigenvalues").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(d16, "spectrum.png")));
    }

    [Fact]
    public void ReproduceDryRunListsTheStudyAndBadInputIsOneLine()
    {
        using var dir = new TempDir();
        var r = CliProcess.Run("reproduce", "--preset", "fashion-mnist-small", "--out", dir.File("repro"), "--dry-run");
        AssertOk(r);
        Assert.Contains("cells: 30 (0 finished, 0 to resume, 30 new)", r.Stdout);
        Assert.False(Directory.Exists(dir.File("repro")));
        var bad = CliProcess.Run("reproduce", "--preset", "mnist", "--out", dir.File("x"));
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("error: unknown --preset 'mnist'", bad.Stderr);
        var missing = CliProcess.Run("sweep", dir.File("none.yaml"), "--out", dir.File("x"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Stderr);
    }
}
