using System.Diagnostics;
using SelfSup.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Bench;

/// <summary>
/// Forward + backward time of a loss alone on random embeddings N×M×d: the cost the paper's O(M)
/// mean-target form (bt) saves over comparing all M(M−1)/2 view pairs (bt-pairwise).
/// With <see cref="Models.Precision.Bf16"/> the embeddings arrive in bf16, as a projector under autocast would make them,
/// and the timed part includes their cast to fp32: the loss itself always runs in fp32. (SelfSup's own projector runs
/// in fp32 under bf16 — <see cref="Models.Encoder.Precision"/> — so in training the loss gets fp32 embeddings directly.)
/// </summary>
public static class LossBenchmark
{
    public static (double MedianSeconds, double[] Seconds) Run(string method, int batch, int views, int projDim,
        int steps = 20, int warmup = 3, int threads = 0, Models.Precision precision = Models.Precision.Fp32)
    {
        if (threads > 0) torch.set_num_threads(threads);
        var loss = LossFactory.Create(method, LossFactory.Weight(method, BetaSetting.Auto(), projDim, vicregLambda: 25), 25, true);
        var generator = new torch.Generator(0);
        var times = new List<double>();
        for (int i = 0; i < warmup + steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            var z = torch.randn([batch, views, projDim], generator: generator);
            if (precision == Models.Precision.Bf16) z = z.to(ScalarType.BFloat16);
            z.requires_grad_();
            var clock = Stopwatch.StartNew();
            loss.Forward(z.dtype == ScalarType.Float32 ? z : z.to(ScalarType.Float32)).backward();
            if (i >= warmup) times.Add(clock.Elapsed.TotalSeconds);
        }
        return (Median(times), times.ToArray());
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
