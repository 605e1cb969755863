using SelfSup.Native;
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
    /// <summary>cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>cuDNN's autotuner on CUDA; null: as training sets it (<see cref="DeviceSettings.ForTraining"/>: on).</summary>
    public bool? CudnnBenchmark { get; init; }
    /// <summary>Extra steps, after the timed ones, that synchronise the device between phases to time them.</summary>
    public int PhaseSteps { get; init; } = 5;
    /// <summary>Multi-crop: small crops per image besides the <see cref="Views"/> full ones (bt only).</summary>
    public int SmallCrops { get; init; }
    /// <summary>Side of the small crops; 0: half of <see cref="Image"/>.</summary>
    public int SmallCropSize { get; init; }
    public int SmallSide => SmallCropSize > 0 ? SmallCropSize : Math.Max(1, Image / 2);
}

/// <summary>
/// Times the trainer's own step (<see cref="TrainingStep"/>: forward over N·M views, loss, backward, checks, Adam) on
/// pre-made tensors or fed by the real input pipeline, on the CPU or a GPU (synchronised at the end of every step, as
/// the PyTorch anchor is). Reports the median over <c>Steps</c> timed steps after <c>Warmup</c> untimed ones, in
/// image-views/s, and the phases' medians from <c>PhaseSteps</c> more steps that synchronise between phases.
/// </summary>
public static class StepBenchmark
{
    /// <summary>Medians (s) of the last run's phases: input + forward + loss, backward, optimiser step.</summary>
    public static double[] LastPhases { get; private set; } = [];

    /// <summary>The step fed by one pre-made input tensor (no input pipeline at all).</summary>
    public static (double MedianViewsPerSecond, double[] StepSeconds) Run(StepBenchmarkOptions o, Action<int, int>? onStep = null)
    {
        var device = Models.Devices.Resolve(o.Device);
        using var x = torch.randn([o.Batch, o.Views, o.Channels, o.Image, o.Image], device: device);
        using var small = o.SmallCrops > 0 ? torch.randn([o.Batch, o.SmallCrops, o.Channels, o.SmallSide, o.SmallSide], device: device) : null;
        return Time(o, _ => new ViewBatch(x.alias(), small?.alias()), onStep);
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
        var sampler = new ViewSampler(preset, o.Views, o.SmallCrops > 0 ? new SmallCrops(o.SmallCrops, o.SmallSide, SmallCrops.DefaultScaleMin, SmallCrops.DefaultScaleMax) : null);
        int steps = o.Warmup + o.Steps;
        var order = Enumerable.Range(0, (steps + o.PhaseSteps) * o.Batch).Select(i => i % images).ToArray();
        var batches = new EpochBatches(data, sampler, seed: 2, epoch: 0, order, o.Batch, Models.Devices.Resolve(o.Device));
        using var pipeline = new ViewBatchPrefetcher(batches.Views, 0, steps + o.PhaseSteps);
        return Time(o, _ => pipeline.Next(), onStep);
    }

    /// <summary>Median over the timed steps of the training step fed by <paramref name="input"/> (N×M×C×S×S on the device).</summary>
    private static (double, double[]) Time(StepBenchmarkOptions o, Func<int, ViewBatch> input, Action<int, int>? onStep)
    {
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        var device = Models.Devices.Resolve(o.Device);
        if (device.type == DeviceType.CPU) NativeHeap.KeepFreedMemory();
        DeviceSettings.ForTraining(device);
        if (o.CudnnBenchmark is bool tune && device.type == DeviceType.CUDA) DeviceSettings.CudnnBenchmark = tune;
        using var gate = NativeCallGate.Open();
        torch.manual_seed(0);
        using var encoder = new Encoder(new EncoderConfig(o.Model, o.Channels, o.Width, false, o.ProjDim, 2, o.ProjDim));
        encoder.to(device);
        bool channelsLast = MemoryLayout.UseChannelsLast(encoder, o.ChannelsLast);
        encoder.train();
        encoder.Precision = o.Precision;
        var loss = LossFactory.Create(o.Method, LossFactory.Weight(o.Method, BetaSetting.Auto(), o.ProjDim, vicregLambda: 25), 25, true, o.SmallCrops > 0 ? o.Views : null);
        using var optimizer = OptimizerFactory.Create("adam", encoder.parameters().ToList(), 1e-3, 1e-6);
        using var step = new TrainingStep(encoder, loss, optimizer) { ChannelsLast = channelsLast };
        void Synchronise() { if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device); }

        var times = new List<double>();
        for (int i = 0; i < o.Warmup + o.Steps; i++)
        {
            NativeCallGate.SafePoint();
            Synchronise();
            var clock = Stopwatch.StartNew();
            using (NativeCallGate.Work())
            using (var views = input(i))
                step.Run(views, 1e-3, i, 0);
            Synchronise();
            if (i >= o.Warmup) times.Add(clock.Elapsed.TotalSeconds);
            onStep?.Invoke(i + 1, o.Warmup + o.Steps);
        }

        // phases: the same step with the device synchronised at each phase's end (slower than the timed steps by those waits)
        var phases = new List<double[]>();
        for (int i = 0; i < o.PhaseSteps; i++)
        {
            var marks = new double[3];
            Synchronise();
            var clock = Stopwatch.StartNew();
            step.OnPhase = phase => { Synchronise(); marks[(int)phase] = clock.Elapsed.TotalSeconds; };
            using (NativeCallGate.Work())
            using (var views = input(o.Warmup + o.Steps + i))
                step.Run(views, 1e-3, o.Warmup + o.Steps + i, 0);
            phases.Add([marks[0], marks[1] - marks[0], marks[2] - marks[1]]);
        }
        step.OnPhase = null;
        double median = LossBenchmark.Median(times);
        LastPhases = phases.Count == 0 ? [] : Enumerable.Range(0, 3).Select(k => LossBenchmark.Median(phases.Select(p => p[k]).ToList())).ToArray();
        return (o.Batch * o.Views / median, times.ToArray());
    }
}
