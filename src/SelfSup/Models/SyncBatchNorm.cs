using SelfSup.Distributed;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelfSup.Models;

/// <summary>
/// BatchNorm over the global batch of a data-parallel job (<c>sync_bn</c>). The model's layers call
/// <see cref="Forward(BatchNorm, Tensor)"/> instead of the BatchNorm module; outside a <see cref="Over"/> scope (one
/// process, evaluation, or no <c>sync_bn</c>) that is the module's own forward. Inside one, in training mode, the
/// per-channel statistics come from all ranks, in two passes of the differentiable <see cref="AllReduceFunction"/>
/// (so the gradient reaches every rank's activations exactly as one process's BatchNorm would pass it):
/// <para>
/// n = Σ_r n_r, μ_c = (1/n) Σ_r Σ_{i∈r} x_ic, σ²_c = (1/n) Σ_r Σ_{i∈r} (x_ic − μ_c)² (biased, as BatchNorm normalises),
/// y = γ_c (x − μ_c) / √(σ²_c + ε) + β_c; running mean ← (1−m)·running + m·μ, running var ← (1−m)·running + m·σ²·n/(n−1).
/// </para>
/// The parameters and buffers stay those of the <see cref="BatchNorm"/> module, so checkpoints and exports do not change.
/// </summary>
public static class SyncBatchNorm
{
    [ThreadStatic] private static ProcessGroup? group;

    /// <summary>Within the returned scope, on this thread, BatchNorm layers in training mode use the statistics of all ranks of <paramref name="processes"/>.</summary>
    public static IDisposable Over(ProcessGroup processes)
    {
        var previous = group;
        group = processes.Size > 1 ? processes : previous;
        return new Restore(previous);
    }

    private sealed class Restore(ProcessGroup? previous) : IDisposable
    {
        public void Dispose() => group = previous;
    }

    /// <summary>The layer's output: <paramref name="bn"/>'s own forward, or the global-batch form inside <see cref="Over"/> while training.</summary>
    public static Tensor Forward(BatchNorm bn, Tensor x)
    {
        if (group is null || !bn.training) return bn.forward(x);
        using var scope = NewDisposeScope();
        long channels = x.shape[1];
        var reduce = Enumerable.Range(0, (int)x.dim()).Where(i => i != 1).Select(i => (long)i).ToArray();
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray(); shape[1] = channels;
        var xf = x.dtype == ScalarType.Float32 || x.dtype == ScalarType.Float64 ? x : x.to(ScalarType.Float32);
        double n = x.numel() / channels * group.Size;   // every rank holds the same number of images
        var mean = AllReduceFunction.Sum(xf.sum(reduce), group) / n;
        var centred = xf - mean.view(shape);
        var variance = AllReduceFunction.Sum(centred.square().sum(reduce), group) / n;
        var y = centred * (variance.view(shape) + bn.eps).rsqrt();
        if (bn.weight is not null) y = y * bn.weight.view(shape);
        if (bn.bias is not null) y = y + bn.bias.view(shape);
        if (bn.track_running_stats && bn.running_mean is not null && bn.running_var is not null)
            using (no_grad())
            {
                bn.num_batches_tracked?.add_(1);
                double m = bn.momentum ?? 1.0 / bn.num_batches_tracked!.item<long>();
                bn.running_mean.mul_(1 - m).add_(mean.detach() * m);
                bn.running_var.mul_(1 - m).add_(variance.detach() * (m * n / Math.Max(1, n - 1)));
            }
        return y.to(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>A <see cref="Sequential"/>'s forward with its BatchNorm layers through <see cref="Forward(BatchNorm, Tensor)"/>.</summary>
    public static Tensor Forward(Sequential layers, Tensor x)
    {
        if (group is null) return layers.forward(x);
        using var scope = NewDisposeScope();
        foreach (var layer in layers.children())
            x = layer is BatchNorm bn ? Forward(bn, x) : ((nn.Module<Tensor, Tensor>)layer).forward(x);
        return x.MoveToOuterDisposeScope();
    }
}
