using System.Diagnostics;
using SelfSup.Losses;
using SelfSup.Data;
using SelfSup.Models;
using SelfSup.Views;
using SelfSup.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Bench;

/// <summary>Configuration of one timed training step (defaults: the bench step of BENCHMARKS.md).</summary>
public sealed record StepBenchmarkOptions
{
    public string Model { get; init; } = "resnet18";
    public int Width { get; init; } = 64;
    public int Batch { get; init; } = 128;
    public int Views { get; init; } = 2;
    public int Image { get; init; } = 32;
    public int Channels { get; init; } = 3;
    public int ProjDim { get; init; } = 2048;
    public string Method { get; init; } = "bt";
    public int Threads { get; init; }
    public int Steps { get; init; } = 20;
    public int Warmup { get; init; } = 3;
    public bool ChannelsLast { get; init; } = true;
    public Precision Precision { get; init; } = Precision.Fp32;
}

/// <summary>
/// Times one SSL training step on pre-made tensors: forward over N·M views, loss, backward, Adam step.
/// Reports the median over <c>Steps</c> timed steps after <c>Warmup</c> untimed ones, in image-views/s.
/// </summary>
public static class StepBenchmark
{
    /// <summary>Medians (s) of the last run's phases: input + forward + loss, backward, optimiser step.</summary>
    public static double[] LastPhases { get; private set; } = [];

    /// <summary>The step fed by one pre-made input tensor (no input pipeline at all).</summary>
    public static (double MedianViewsPerSecond, double[] StepSeconds) Run(StepBenchmarkOptions o, Action<int, int>? onStep = null)
    {
        using var x = torch.randn(o.Batch * o.Views, o.Channels, o.Image, o.Image);
        return Time(o, _ => x.alias(), onStep);
    }

    /// <summary>
    /// The step fed by the real input pipeline: uint8 images in memory (a synthetic dataset of the bench
    /// size, <paramref name="images"/> of them) → per-sample views drawn ahead by <see cref="ViewBatchPrefetcher"/>
    /// with the CIFAR preset (or fashion-mnist for 1 channel) → batch, exactly as the trainer does.
    /// </summary>
    public static (double MedianViewsPerSecond, double[] StepSeconds) RunWithPipeline(StepBenchmarkOptions o, int images = 4096, Action<int, int>? onStep = null)
    {
        using var pixels = torch.randint(0, 256, [images, o.Channels, o.Image, o.Image], dtype: ScalarType.Byte, generator: new torch.Generator(1));
        using var data = new ImageDataset("synthetic", "train", pixels.alias(), new int[images], 10);
        var preset = (o.Channels == 1 ? AugmentationPreset.FashionMnist : AugmentationPreset.Cifar) with { CropSize = o.Image };
        var sampler = new ViewSampler(preset, o.Views);
        int steps = o.Warmup + o.Steps;
        var order = Enumerable.Range(0, steps * o.Batch).Select(i => i % images).ToArray();
        var batches = new EpochBatches(data, sampler, seed: 2, epoch: 0, order, o.Batch);
        using var pipeline = new ViewBatchPrefetcher(batches.Views, 0, steps);
        return Time(o, _ =>
        {
            using var views = pipeline.Next();
            return views.reshape(o.Batch * o.Views, o.Channels, o.Image, o.Image);
        }, onStep);
    }

    /// <summary>Median over the timed steps of: input → forward over N·M views → loss → backward → Adam.</summary>
    private static (double, double[]) Time(StepBenchmarkOptions o, Func<int, Tensor> input, Action<int, int>? onStep)
    {
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        NativeHeap.KeepFreedMemory();
        using var gate = NativeCallGate.Open();
        torch.manual_seed(0);
        using var encoder = new Encoder(new EncoderConfig(o.Model, o.Channels, o.Width, false, o.ProjDim, 2, o.ProjDim));
        bool channelsLast = MemoryLayout.UseChannelsLast(encoder, o.ChannelsLast);
        encoder.train();
        encoder.Precision = o.Precision;
        var loss = LossFactory.Create(o.Method, LossFactory.Weight(o.Method, BetaSetting.Auto(), o.ProjDim, vicregLambda: 25), 25, true);
        using var optimizer = torch.optim.Adam(encoder.parameters(), lr: 1e-3, weight_decay: 1e-6);
        var times = new List<double>();
        var phases = new List<double[]>();
        for (int i = 0; i < o.Warmup + o.Steps; i++)
        {
            NativeCallGate.SafePoint();
            var clock = Stopwatch.StartNew();
            using (NativeCallGate.Work())
            using (var scope = torch.NewDisposeScope())
            {
                var x = input(i);
                if (channelsLast) x = MemoryLayout.ChannelsLast(x);
                var z = encoder.forward(x).reshape(o.Batch, o.Views, -1);
                var l = loss.Forward(z);
                l.item<float>();
                double forward = clock.Elapsed.TotalSeconds;
                optimizer.zero_grad();
                l.backward();
                double backward = clock.Elapsed.TotalSeconds;
                optimizer.step();
                if (i >= o.Warmup) phases.Add([forward, backward - forward, clock.Elapsed.TotalSeconds - backward]);
            }
            if (i >= o.Warmup) times.Add(clock.Elapsed.TotalSeconds);
            onStep?.Invoke(i + 1, o.Warmup + o.Steps);
        }
        double median = LossBenchmark.Median(times);
        LastPhases = Enumerable.Range(0, 3).Select(k => LossBenchmark.Median(phases.Select(p => p[k]).ToList())).ToArray();
        return (o.Batch * o.Views / median, times.ToArray());
    }
}
