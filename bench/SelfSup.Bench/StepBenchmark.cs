using System.Diagnostics;
using SelfSup.Losses;
using SelfSup.Models;
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
    public bool ChannelsLast { get; init; }
}

/// <summary>
/// Times one SSL training step on pre-made tensors: forward over N·M views, loss, backward, Adam step.
/// Reports the median over <c>Steps</c> timed steps after <c>Warmup</c> untimed ones, in image-views/s.
/// </summary>
public static class StepBenchmark
{
    public static (double MedianViewsPerSecond, double[] StepSeconds) Run(StepBenchmarkOptions o, Action<int, int>? onStep = null)
    {
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        torch.manual_seed(0);
        using var encoder = new Encoder(new EncoderConfig(o.Model, o.Channels, o.Width, false, o.ProjDim, 2, o.ProjDim));
        bool channelsLast = MemoryLayout.UseChannelsLast(encoder, o.ChannelsLast);
        encoder.train();
        var loss = LossFactory.Create(o.Method, o.Method.StartsWith("vicreg") ? 25 : OrthogonalityWeight.ForProjector(o.ProjDim), 25, true);
        using var optimizer = torch.optim.Adam(encoder.parameters(), lr: 1e-3, weight_decay: 1e-6);
        using var x0 = torch.randn(o.Batch * o.Views, o.Channels, o.Image, o.Image);
        using var x = channelsLast ? MemoryLayout.ChannelsLast(x0) : x0.alias();
        var times = new List<double>();
        for (int i = 0; i < o.Warmup + o.Steps; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = torch.NewDisposeScope())
            {
                var z = encoder.forward(x).reshape(o.Batch, o.Views, -1);
                var l = loss.Forward(z);
                optimizer.zero_grad();
                l.backward();
                optimizer.step();
            }
            if (i >= o.Warmup) times.Add(clock.Elapsed.TotalSeconds);
            onStep?.Invoke(i + 1, o.Warmup + o.Steps);
        }
        var sorted = times.OrderBy(t => t).ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return (o.Batch * o.Views / median, times.ToArray());
    }
}
