using System.Text.Json;
using SelfSup.Losses;
using SelfSup.Training;
using SelfSup.Views;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Views;

/// <summary>Multi-crop: the small crops' views, the loss with a full-views target, and a resumable multi-crop run.</summary>
public sealed class MultiCropTests
{
    /// <summary>
    /// The multi-crop loss written out element by element in float64: rows L2-normalised, each dimension standardised
    /// over all N·V rows (unbiased, + 1e-12), Z̄ the mean of the first T views only, then
    /// (1/V) Σ_a Σ_k (1 − (1/N) Σ_n Z_a[n,k] Z̄[n,k])² + λ Σ_{k≠l} ((1/N) Σ_n Z̄[n,k] Z̄[n,l])².
    /// </summary>
    private static double Reference(double[,,] z, int targets, double lambda)
    {
        int n = z.GetLength(0), v = z.GetLength(1), d = z.GetLength(2);
        var x = (double[,,])z.Clone();
        for (int i = 0; i < n; i++)
            for (int a = 0; a < v; a++)
            {
                double norm = 0;
                for (int k = 0; k < d; k++) norm += x[i, a, k] * x[i, a, k];
                norm = Math.Max(Math.Sqrt(norm), 1e-12);
                for (int k = 0; k < d; k++) x[i, a, k] /= norm;
            }
        for (int k = 0; k < d; k++)
        {
            double mean = 0, square = 0;
            for (int i = 0; i < n; i++) for (int a = 0; a < v; a++) mean += x[i, a, k];
            mean /= n * v;
            for (int i = 0; i < n; i++) for (int a = 0; a < v; a++) square += (x[i, a, k] - mean) * (x[i, a, k] - mean);
            double std = Math.Sqrt(square / (n * v - 1) + 1e-12);
            for (int i = 0; i < n; i++) for (int a = 0; a < v; a++) x[i, a, k] = (x[i, a, k] - mean) / std;
        }
        var bar = new double[n, d];
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) { for (int a = 0; a < targets; a++) bar[i, k] += x[i, a, k]; bar[i, k] /= targets; }
        double invariance = 0;
        for (int a = 0; a < v; a++)
            for (int k = 0; k < d; k++)
            {
                double agreement = 0;
                for (int i = 0; i < n; i++) agreement += x[i, a, k] * bar[i, k];
                invariance += Math.Pow(1 - agreement / n, 2);
            }
        double orthogonality = 0;
        for (int k = 0; k < d; k++)
            for (int l = 0; l < d; l++)
            {
                if (k == l) continue;
                double c = 0;
                for (int i = 0; i < n; i++) c += bar[i, k] * bar[i, l];
                orthogonality += Math.Pow(c / n, 2);
            }
        return invariance / v + lambda * orthogonality;
    }

    [Theory]
    [InlineData(2, 4)]   // CIFAR's 2 full + 4 small: the mean form, not the two-view cross-correlation
    [InlineData(4, 2)]
    [InlineData(3, 0)]   // no small crops: the ordinary multi-view loss
    public void The_loss_compares_every_view_with_the_mean_of_the_full_views(int full, int small)
    {
        using var z = randn([24, full + small, 12], dtype: ScalarType.Float64, generator: new Generator((ulong)(10 * full + small)));
        var values = new double[24, full + small, 12];
        var flat = z.data<double>().ToArray();
        Buffer.BlockCopy(flat, 0, values, 0, flat.Length * sizeof(double));
        var loss = LossFactory.Create("bt", 0.25, 25, normalize: true, targetViews: full);
        using var computed = loss.Forward(z);
        double expected = Reference(values, full, 0.25);
        Assert.Equal(expected, computed.item<double>(), expected * 1e-9);
    }

    [Fact]
    public void Small_crops_count_in_the_invariance_term_but_not_in_the_mean()
    {
        using var z = randn([16, 4, 8], dtype: ScalarType.Float64, generator: new Generator(3));
        var loss = LossFactory.Create("bt", 0.5, 25, normalize: false, targetViews: 2);
        using var changed = z.detach().clone();
        changed[.., 3] = changed[.., 3] * 3 + 1;   // a different small crop, same full views
        double a = loss.Forward(z.detach()).item<double>(), b = loss.Forward(changed).item<double>();
        Assert.NotEqual(a, b);                      // it still counts in the invariance term ...
        var fullOnly = LossFactory.Create("bt", 0.5, 25, normalize: false);
        Assert.Throws<SelfSupError>(() => LossFactory.Create("vicreg", 25, 25, normalize: true, targetViews: 2));
        Assert.Throws<SelfSupError>(() => new MultiViewBarlowTwinsLoss(0.5) { TargetViews = 5 }.Forward(z.detach()));
        Assert.NotEqual(a, fullOnly.Forward(z.detach()).item<double>());   // ... and the target differs from the all-views mean
    }

    [Fact]
    public void Small_crops_are_keyed_like_the_full_views()
    {
        var images = randint(0, 256, [6, 3, 32, 32], dtype: ScalarType.Byte, generator: new Generator(5));
        var small = new SmallCrops(3, 16, 0.05, 0.4);
        var multi = new ViewSampler(AugmentationPreset.Cifar, 2, small);
        var plain = new ViewSampler(AugmentationPreset.Cifar, 2);
        var keys = ViewKeys.For(seed: 1, epoch: 2, Enumerable.Range(10, 6).ToArray(), multi.KeysPerImage);
        using var batch = multi.SampleBatch(images, keys);
        Assert.Equal([6L, 2, 3, 32, 32], batch.Full.shape);
        Assert.Equal([6L, 3, 3, 16, 16], batch.Small!.shape);
        // the full views are those of a run without small crops (same keys for views 0 and 1)
        using var alone = plain.Sample(images, ViewKeys.For(seed: 1, epoch: 2, Enumerable.Range(10, 6).ToArray(), 2));
        Assert.True(alone.equal(batch.Full).all().item<bool>());
        // each image's small crops depend on its own keys only: a slice of the batch draws the same ones
        using var part = multi.SampleBatch(images.narrow(0, 2, 3), keys.AsSpan(2 * 5, 3 * 5));
        Assert.True(part.Small!.equal(batch.Small.narrow(0, 2, 3)).all().item<bool>());
        Assert.Throws<SelfSupError>(() => new ViewSampler(AugmentationPreset.Cifar, 2, small with { Size = 40 }));
    }

    [Fact]
    public void A_multi_crop_run_trains_and_resumes_exactly()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var config = new TrainConfig
        {
            DataDir = dir.File("data"), Width = 8, ProjDim = 16, BatchSize = 8, Epochs = 2, LogEvery = 1, Threads = 1, Seed = 3, Precision = "fp32",
            SmallCrops = 2, SmallCropSize = 14,
        };
        double[] Losses(RunDirectory run) => File.ReadAllLines(run.MetricsPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToArray();
        var straight = new RunDirectory(dir.File("straight"));
        new Pretrainer(config, straight).Run(false).Encoder.Dispose();
        var resumed = new RunDirectory(dir.File("resumed"));
        new Pretrainer(config with { Steps = 4 }, resumed).Run(false).Encoder.Dispose();
        new Pretrainer(config, resumed).Run(true).Encoder.Dispose();
        Assert.Equal(12, Losses(straight).Length);
        Assert.Equal(Losses(straight), Losses(resumed));
        Assert.All(Losses(straight), l => Assert.True(double.IsFinite(l)));
        // two views plus two small crops is not the two-view loss: the run differs from one without small crops
        var plain = new RunDirectory(dir.File("plain"));
        new Pretrainer(config with { SmallCrops = 0 }, plain).Run(false).Encoder.Dispose();
        Assert.NotEqual(Losses(plain)[0], Losses(straight)[0]);
    }

    [Fact]
    public void Small_crops_need_the_bt_loss_and_sizes_that_fit()
    {
        var config = new TrainConfig { SmallCrops = 2 };
        Assert.Contains("`method` bt", Assert.Throws<SelfSupError>(() => (config with { Method = "vicreg" }).Validate()).Message);
        Assert.Contains("`small_crop_size` 40", Assert.Throws<SelfSupError>(() => (config with { SmallCropSize = 40 }).Validate()).Message);
        Assert.Contains("`small_crop_scale`", Assert.Throws<SelfSupError>(() => (config with { SmallCropScale = [0.5, 0.1] }).Validate()).Message);
    }

    [Fact]
    public void The_views_command_shows_the_small_crops_and_bench_step_times_a_multi_crop_step()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 16);
        var plain = CliProcess.Run("views", "--data-dir", dir.File("data"), "--views", "2", "--count", "2", "--out", dir.File("plain.png"));
        var multi = CliProcess.Run("views", "--data-dir", dir.File("data"), "--views", "2", "--count", "2", "--small-crops", "3", "--out", dir.File("multi.png"));
        Assert.True(multi.ExitCode == 0, multi.Stderr);
        Assert.Contains("3 small crops of 14 px", multi.Stdout);
        using (var a = SkiaSharp.SKBitmap.Decode(dir.File("plain.png")))
        using (var b = SkiaSharp.SKBitmap.Decode(dir.File("multi.png")))
            Assert.True(b.Width > a.Width, $"{b.Width} px is not wider than {a.Width} px: the small crops are missing");
        var bench = CliProcess.Run("bench", "step", "--width", "8", "--batch", "4", "--image", "16", "--channels", "1", "--proj-dim", "16", "--steps", "2",
            "--threads", "1", "--small-crops", "2", "--small-crop-size", "8");
        Assert.True(bench.ExitCode == 0, bench.Stderr);
        Assert.StartsWith("images_per_s=", bench.Stdout.Trim().Split('\n').Last());
    }
}
