using static TorchSharp.torch;

namespace SelfSup.Distributed;

/// <summary>
/// Averages parameter gradients over the ranks after backward: the gradients of each dtype are flattened into one
/// buffer and reduced with one all-reduce (what Horovod calls tensor fusion — one large message instead of one per
/// parameter), divided by R and copied back.
/// </summary>
public static class GradientAverager
{
    /// <summary>g ← (1/R) Σ_r g_r for gradients already in one flat buffer (<see cref="Training.FlatParameters.Grad"/>): one all-reduce.</summary>
    public static void Average(Tensor flatGrad, ProcessGroup group)
    {
        if (group.Size == 1) return;
        group.AllReduceSum(flatGrad);
        flatGrad.div_(group.Size);
    }

    /// <summary>g_p ← (1/R) Σ_r g_p,r for every parameter with a gradient.</summary>
    public static void Average(IEnumerable<TorchSharp.Modules.Parameter> parameters, ProcessGroup group)
    {
        if (group.Size == 1) return;
        using var scope = NewDisposeScope();
        foreach (var sameType in parameters.Where(p => p.grad is not null).GroupBy(p => (p.grad!.dtype, p.grad!.device_type)))
        {
            var grads = sameType.Select(p => p.grad!).ToList();
            var flat = cat(grads.Select(g => g.reshape(-1)).ToList(), 0);
            group.AllReduceSum(flat);
            flat.div_(group.Size);
            long at = 0;
            using (no_grad())
                foreach (var g in grads)
                {
                    long count = g.numel();
                    g.copy_(flat.narrow(0, at, count).view_as(g));
                    at += count;
                }
        }
    }

}
