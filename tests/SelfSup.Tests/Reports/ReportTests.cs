using SelfSup.Reports;
using System.Text.Json;
using SelfSup.Evaluation;
using SelfSup.Experiments;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Reports;

/// <summary>The report on hand-made run directories whose numbers are known: tables, seed aggregation, plots.</summary>
public sealed class ReportTests
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// Writes a run directory: config.json, summary.json and evals.jsonl with accuracy rising by <paramref name="perEpoch"/>;
    /// with <paramref name="cpuSeconds"/>, CPU seconds of pretraining too (spread evenly over the epochs like the wall seconds);
    /// with <paramref name="beside"/>, a cell.json saying it ran under --parallel 2 beside those cells.
    /// </summary>
    private static void FakeRun(string root, string name, TrainConfig config, double final, double seconds, string[] studies,
        double start = 50, double perEpoch = 10, int epochs = 3, bool readout = true, double? cpuSeconds = null, string[]? beside = null)
    {
        var dir = Path.Combine(root, name);
        new RunDirectory(dir).Create(config);
        var evals = Enumerable.Range(1, epochs).Select(e => new EvalRecord
        {
            Epoch = e, Step = 10 * e, PretrainSeconds = seconds * e / epochs, CpuSeconds = cpuSeconds * e / epochs, ImagesSeen = 1000L * e, ProbeTop1 = start + perEpoch * (e - 1),
            KnnTop1 = start - 5, Alpha = 1.2, EffectiveRank = 20, EmbeddingAlpha = 2, EmbeddingEffectiveRank = 10, ProbeEpochs = 5,
        });
        File.WriteAllLines(Path.Combine(dir, PeriodicEvaluator.FileName), evals.Select(e => JsonSerializer.Serialize(e, Snake)));
        var summary = new Dictionary<string, object?> { ["pretrain_seconds"] = seconds, ["images_seen"] = 3000, ["sweep_studies"] = studies };
        if (cpuSeconds is not null) summary["pretrain_cpu_seconds"] = cpuSeconds;
        if (beside is not null)
            File.WriteAllText(Path.Combine(dir, SweepRunner.CellFile), JsonSerializer.Serialize(new CellSpec
            {
                Name = name, Studies = studies, Settings = [], Config = config, Readout = new ReadoutSettings(),
                Sessions = [new CellSession { Started = DateTimeOffset.UnixEpoch, Ended = DateTimeOffset.UnixEpoch.AddSeconds(seconds), Parallel = 2, Threads = 1, Beside = [.. beside] }],
            }, TrainConfig.Json));
        if (readout)
        {
            summary["probe_top1"] = final; summary["knn_top1"] = final - 3; summary["probe_epochs"] = 200; summary["finished"] = true;
        }
        new RunDirectory(dir).UpdateSummary(summary);
    }

    /// <summary>The part of report.md from <paramref name="heading"/> up to <paramref name="next"/> (or the end).</summary>
    private static string Section(string md, string heading, string? next = null) =>
        md[md.IndexOf(heading)..(next is null ? md.Length : md.IndexOf(next))];

    private static TrainConfig Config(int d = 64, string beta = "auto", int views = 2, double fraction = 1, int seed = 0) =>
        new() { ProjDim = d, Beta = beta, Views = views, Fraction = fraction, Seed = seed, Width = 8, Epochs = 3, EvalEvery = 1 };

    [Fact]
    public void Claims_are_judged_by_the_difference_of_means_against_two_standard_errors()
    {
        // seeds by hand: β = c/d 80, 82, 84 (mean 82, std 2); fixed 70, 71, 72 (71, 1): +11 ± √(4/3 + 1/3) = ±1.29 → held
        // M = 4 final 80, 81, 82 (81, 1) vs M = 2 80.5, 82.5, 83.5 (82.17, 1.53): −1.17 ± √(1/3 + 2.33/3) = ±1.05 → not separable
        using var dir = new TempDir();
        double[] auto = [80, 82, 84], fixedBeta = [70, 71, 72], m4 = [80, 81, 82], m2 = [80.5, 82.5, 83.5];
        for (int seed = 0; seed < 3; seed++)
        {
            FakeRun(dir.Path, $"d16_auto_s{seed}", Config(16, "auto", seed: seed), auto[seed], 100, ["projector"]);
            FakeRun(dir.Path, $"d16_fixed_s{seed}", Config(16, "0.0004", seed: seed), fixedBeta[seed], 100, ["projector"]);
            FakeRun(dir.Path, $"m2_s{seed}", Config(seed: seed), m2[seed], 100, ["views"], start: 60, perEpoch: 10);
            FakeRun(dir.Path, $"m4_s{seed}", Config(views: 4, seed: seed), m4[seed], 200, ["views"], start: 70 + seed, perEpoch: 5);
        }
        var md = File.ReadAllText(Report.Build(dir.Path).MarkdownPath);
        var claims = Section(md, "## The paper's claims", "## Error vs runtime");
        var beta = claims.Split('\n').Single(l => l.Contains("d = 16: β = c/d vs β = 0.0004"));
        Assert.Contains("82.00 ± 2.00 (n = 3)", beta);
        Assert.Contains("+11.00 ± 1.29", beta);
        Assert.Contains("**held**", beta);
        var epoch = claims.Split('\n').Single(l => l.Contains("M = 4 beats M = 2 per epoch"));
        Assert.Contains("-1.17 ± 1.05", epoch);
        Assert.Contains("not separable from noise", epoch);
        // per second: at 100 s (M = 2's end) M = 4 has done 1.5 of its 3 epochs → its epoch-1 evaluation, 70, 71, 72; M = 2's epoch 3: 80 each
        var second = claims.Split('\n').Single(l => l.Contains("M = 4 beats M = 2 per second"));
        Assert.Contains("71.00 ± 1.00", second);
        Assert.Contains("**not held**", second);
    }

    [Fact]
    public void Multi_crop_is_judged_against_more_full_views_at_equal_time()
    {
        using var dir = new TempDir();
        double[] crops = [75, 76, 77], full = [70, 70.5, 71.5];   // +5.33 ± √(1/3 + 0.583/3) = ±0.73 → held
        for (int seed = 0; seed < 3; seed++)
        {
            FakeRun(dir.Path, $"crops_s{seed}", Config(views: 2, seed: seed) with { SmallCrops = 4, TimeBudgetMinutes = 1.5 }, crops[seed], 90, ["multicrop"]);
            FakeRun(dir.Path, $"full_s{seed}", Config(views: 4, seed: seed) with { TimeBudgetMinutes = 1.5 }, full[seed], 90, ["multicrop"]);
        }
        var claims = Section(File.ReadAllText(Report.Build(dir.Path).MarkdownPath), "## The paper's claims", "## Error vs runtime");
        var row = claims.Split('\n').Single(l => l.Contains("2 full + 4 small crops beats M = 4 at equal time"));
        Assert.Contains("+5.33 ± 0.73", row);
        Assert.Contains("**held**", row);
        Assert.DoesNotContain("beats M = 2 per epoch", claims);   // M = 4 and M = 2 here differ in their small crops too: not a views comparison
    }

    [Theory]
    [InlineData(3, 1, false, ClaimVerdict.Held)]
    [InlineData(-3, 1, false, ClaimVerdict.NotHeld)]
    [InlineData(1.9, 1, false, ClaimVerdict.NotSeparable)]
    [InlineData(-1.9, 1, true, ClaimVerdict.Held)]
    [InlineData(-2.1, 1, true, ClaimVerdict.NotHeld)]
    [InlineData(5, double.NaN, false, ClaimVerdict.NoSpread)]
    public void A_verdict_needs_two_standard_errors(double difference, double error, bool matches, ClaimVerdict expected) =>
        Assert.Equal(expected, ClaimsTable.Judge(difference, error, matches));

    [Fact]
    public void Welchs_standard_error_of_a_difference_of_means()
    {
        var a = Stat.Of([80, 82, 84])!.Value;
        var b = Stat.Of([70, 71, 72])!.Value;
        var (difference, error) = Stat.Difference(a, b);
        Assert.Equal(11, difference, 12);
        Assert.Equal(Math.Sqrt(4.0 / 3 + 1.0 / 3), error, 12);
        Assert.True(double.IsNaN(Stat.Difference(a, Stat.Of([75])!.Value).StandardError));
    }

    [Fact]
    public void ReportAggregatesSeedsAndDrawsEveryFigure()
    {
        using var dir = new TempDir();
        foreach (var seed in new[] { 0, 1 })
            foreach (var d in new[] { 16, 64 })
                foreach (var beta in new[] { "0.0004", "auto" })
                {
                    double acc = (beta == "auto" ? 80 : d == 16 ? 60 : 75) + 2 * seed;   // seeds 0, 1 → mean +1, std √2
                    FakeRun(dir.Path, $"d{d}_{beta}_s{seed}", Config(d, beta, seed: seed), acc, 100 + seed, ["projector"]);
                }
        FakeRun(dir.Path, "m4", Config(views: 4), 85, 150, ["views"], start: 70, perEpoch: 7);
        FakeRun(dir.Path, "m4-half", Config(views: 4, fraction: 0.5), 83, 75, ["fraction"], start: 65);
        File.WriteAllText(dir.File(SweepRunner.IndexFile), """{"name": "unit", "studies": ["projector", "views", "fraction"]}""");
        // views and fraction studies also hold the shared M = 2 cell (d = 64, β = c/d)
        foreach (var seed in new[] { 0, 1 })
        {
            var summary = new RunDirectory(dir.File($"d64_auto_s{seed}"));
            summary.UpdateSummary(new Dictionary<string, object?> { ["sweep_studies"] = new[] { "projector", "views", "fraction" } });
        }

        var result = Report.Build(dir.Path, new ReportOptions(Target: 75));
        Assert.Equal(10, result.Runs);
        Assert.Equal(6, result.Configurations);
        Assert.Equal(75, result.Target);
        var md = File.ReadAllText(result.MarkdownPath);
        Assert.StartsWith("# SelfSup report: unit", md);
        // Fig. 2 table: rows d, columns fixed β and β = c/d, mean ± sample std over the two seeds
        Assert.Contains("| d | fixed β = 0.0004 | β = c/d (c = 4) |", md);
        Assert.Contains("| 16 | 61.00 ± 1.41 | 81.00 ± 1.41 |", md);
        Assert.Contains("| 64 | 76.00 ± 1.41 | 81.00 ± 1.41 |", md);
        // fraction study: M × fraction
        Assert.Contains("| 4 | 0.5 | 2 |", md);
        // time to 75 %: the M = 4 run (70, 77, 84) gets there at epoch 2 = 100 s; d16 fixed never does
        Assert.Contains("| d = 64, β = c/d (c = 4), M = 4, fraction 1 | 1/1 | 100.0 | 2.0 | 2000 |", md);
        Assert.Contains("| d = 16, fixed β = 0.0004, M = 2, fraction 1 | 0/2 | not reached | — | — |", md);
        // Pareto: only the 75 s run (error 17) and the 150 s M = 4 run (error 15) are not dominated
        Assert.Contains("| d = 64, β = c/d (c = 4), M = 4, fraction 0.5 | 75.0 | 17.00 | ★ |", md);
        Assert.Contains("| d = 64, β = c/d (c = 4), M = 4, fraction 1 | 150.0 | 15.00 | ★ |", md);
        Assert.Contains("| d = 16, fixed β = 0.0004, M = 2, fraction 1 | 100.5 ± 0.7 | 39.00 ± 1.41 |  |", md);
        Assert.Contains("## Spectrum", md);

        string[] expected = ["projector-accuracy-vs-projector-dim.png", "views-accuracy-vs-epoch.png", "views-accuracy-vs-time.png",
            "fraction-accuracy-at-equal-views-x-fraction.png", "error-vs-runtime-pareto.png"];
        foreach (var file in expected)
        {
            var path = Path.Combine(dir.Path, "plots", file);
            Assert.Contains(path, result.Plots);
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 10_000, $"{file} is only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.Contains($"plots/{file}", md);
        }
    }

    [Fact]
    public void AFolderWithoutRunsIsAClearError()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<SelfSupError>(() => Report.Build(dir.Path));
        Assert.Contains("no runs under", e.Message);
        Assert.Throws<SelfSupError>(() => Report.Build(dir.File("missing")));
    }

    [Fact]
    public void PlainPretrainRunsWithoutSweepMetadataStillReport()
    {
        using var dir = new TempDir();
        FakeRun(dir.Path, "a", Config(views: 2), 70, 50, []);
        FakeRun(dir.Path, "b", Config(views: 8), 78, 120, []);
        var result = Report.Build(dir.Path, new ReportOptions(Metric: "knn", OutDir: dir.File("out")));
        var md = File.ReadAllText(result.MarkdownPath);
        Assert.Equal(dir.File("out/report.md"), result.MarkdownPath);
        Assert.Contains("## Study: all runs", md);
        Assert.Contains("kNN top-1 accuracy", md);
        Assert.True(File.Exists(dir.File("out/plots/runs-accuracy-vs-time.png")));
        Assert.Equal(45, result.Target);   // both runs' kNN curves stay at 45
    }

    [Fact]
    public void ARunWithoutAFinalReadoutIsMarkedAndNeverComparedWithFinalReadouts()
    {
        using var dir = new TempDir();
        FakeRun(dir.Path, "d16", Config(d: 16), 80, 100, []);                                     // final readout 80 %
        FakeRun(dir.Path, "d64", Config(d: 64), 0, 60, [], start: 50, perEpoch: 10, readout: false);   // periodic only: 50, 60, 70 %
        var md = File.ReadAllText(Report.Build(dir.Path).MarkdownPath);

        // every accuracy says how it was measured
        Assert.Contains("| d = 16 | 1 | final (200-epoch probe) | 80.00 | 77.00 |", md);
        Assert.Contains("| d = 64 | 1 | periodic (5-epoch probe) | 70.00 | 45.00 |", md);
        Assert.Contains("*Readout*: **final** is the readout after pretraining", md);
        // Fig. 2 compares final readouts only: d = 64 is left out, and the text says why
        Assert.Contains("| 16 | 80.00 |", md);
        Assert.Contains("| 64 | — |", md);
        Assert.Contains("Left out, having no final (200-epoch probe) readout: d = 64 — periodic (5-epoch probe).", md);
        // the Pareto plot: final readouts only, the periodic run counted as left out and absent from its table
        string pareto = Section(md, "## Error vs runtime", "## Time to target");
        Assert.Contains("| d = 16 | 100.0 | 20.00 | ★ |", pareto);
        Assert.DoesNotContain("| d = 64 |", pareto);
        Assert.Contains("Left out, having no final (200-epoch probe) readout: d = 64", pareto);
    }

    [Fact]
    public void ASeedWithoutAFinalReadoutIsLeftOutOfItsConfigurationsMean()
    {
        using var dir = new TempDir();
        FakeRun(dir.Path, "s0", Config(seed: 0), 80, 100, []);
        FakeRun(dir.Path, "s1", Config(seed: 1), 0, 100, [], readout: false);   // periodic only: 70 %, not averaged with 80 %
        var md = File.ReadAllText(Report.Build(dir.Path).MarkdownPath);
        Assert.Contains("| all runs | 2 | final (200-epoch probe); 1 of 2 seeds without it left out | 80.00 | 77.00 |", md);
        Assert.Contains("1 run without it is left out of its configuration's mean.", md);
    }

    [Fact]
    public void TimeComparisonsUseCpuSecondsWhenEveryRunHasThemAndSaySo()
    {
        using var dir = new TempDir();
        // wall 100 s / CPU 150 s at 80 %; wall 60 s / CPU 200 s at 85 %: by wall time d64 beats d16 on both counts,
        // by CPU time it is slower, so both are on the frontier; the two cells ran side by side
        FakeRun(dir.Path, "d16", Config(d: 16), 80, 100, [], cpuSeconds: 150, beside: ["d64"]);
        FakeRun(dir.Path, "d64", Config(d: 64), 85, 60, [], start: 60, perEpoch: 10, cpuSeconds: 200, beside: ["d16"]);
        var result = Report.Build(dir.Path, new ReportOptions(Target: 70));
        var md = File.ReadAllText(result.MarkdownPath);

        string pareto = Section(md, "## Error vs runtime", "## Time to target");
        Assert.Contains("| configuration | pretraining CPU time (s) | error (%) | frontier |", pareto);
        Assert.Contains("| d = 16 | 150.0 | 20.00 | ★ |", pareto);
        Assert.Contains("| d = 64 | 200.0 | 15.00 | ★ |", pareto);
        Assert.Contains("Time: **CPU seconds** of pretraining", pareto);
        Assert.Contains("Cells ran side by side (`parallel` 2, 1 thread per cell): 2 of 2 cells ran beside other cells", pareto);
        // time to 70 %: d16 (50, 60, 70) at epoch 3 = 150 CPU s; d64 (60, 70, 80) at epoch 2 = 2/3 · 200 CPU s
        string target = Section(md, "## Time to target");
        Assert.Contains("| configuration | reached (seeds) | pretraining CPU time (s) | epoch | images seen |", target);
        Assert.Contains("| d = 16 | 1/1 | 150.0 | 3.0 | 3000 |", target);
        Assert.Contains("| d = 64 | 1/1 | 133.3 | 2.0 | 2000 |", target);
        Assert.Contains("Time: **CPU seconds** of pretraining", target);
        Assert.Contains("pretraining CPU time (s)", md[..md.IndexOf("## Study")]);   // the configurations table's time column
    }

    [Fact]
    public void TimeComparisonsFallBackToWallSecondsWhenARunLacksCpuSecondsAndSaySo()
    {
        using var dir = new TempDir();
        FakeRun(dir.Path, "d16", Config(d: 16), 80, 100, [], cpuSeconds: 150);
        FakeRun(dir.Path, "d64", Config(d: 64), 85, 60, [], start: 60, perEpoch: 10);   // an older run: no CPU seconds
        var md = File.ReadAllText(Report.Build(dir.Path, new ReportOptions(Target: 70)).MarkdownPath);

        string pareto = Section(md, "## Error vs runtime", "## Time to target");
        Assert.Contains("| configuration | pretraining wall-clock time (s) | error (%) | frontier |", pareto);
        Assert.Contains("| d = 64 | 60.0 | 15.00 | ★ |", pareto);
        Assert.Contains("| d = 16 | 100.0 | 20.00 |  |", pareto);
        Assert.Contains("Time: **wall-clock seconds** of pretraining (evaluation excluded); CPU seconds are not used because 1 of these runs does not record them.", pareto);
        Assert.Contains("There is no record of what ran beside these runs", pareto);
        Assert.Contains("| d = 64 | 1/1 | 40.0 | 2.0 | 2000 |", md);   // time to 70 %: epoch 2 of 3 → 40 wall seconds
    }
}
