using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Adam (Kingma &amp; Ba) with L2 weight decay, as <c>torch.optim.Adam</c>: with g ← ∇ + wd·w,
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε),
/// over all parameters at once (<see cref="FlatParameters"/>): one fused kernel where libtorch has it
/// (<see cref="FusedAdamKernel"/>), else nine whole-buffer ops. Checkpoints hold TorchSharp's Adam state format.
/// </summary>
public sealed class FlatAdam : FlatOptimizer
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8;
    private readonly Tensor expAvg, expAvgSq, stepCount;
    private readonly OptimizerStateFile file;
    private readonly double weightDecay;
    private long step;

    public FlatAdam(FlatParameters flat, double lr, double weightDecay, bool? fused = null) : base(flat, lr)
    {
        this.weightDecay = weightDecay;
        expAvg = torch.zeros_like(flat.Data);
        expAvgSq = torch.zeros_like(flat.Data);
        stepCount = torch.zeros(1, ScalarType.Float32, flat.Data.device);
        Fused = fused ?? (FusedAdamKernel.IsAvailable && FusedAdamKernel.Supports(flat.Data.dtype, flat.Data.device_type));
        file = new OptimizerStateFile(torch.optim.Adam(flat.Parameters, lr, Beta1, Beta2, Eps, weightDecay));
        // the file's moments are views of the flat ones, so saving and loading need no copies
        for (int i = 0; i < flat.Parameters.Count; i++)
        {
            var state = (TorchSharp.Modules.Adam.State)file.States[i];
            state.exp_avg.Dispose(); state.exp_avg = flat.Segment(expAvg, i);
            state.exp_avg_sq.Dispose(); state.exp_avg_sq = flat.Segment(expAvgSq, i);
        }
    }

    /// <summary>Whether steps run libtorch's fused kernel (else the same rule as separate whole-buffer ops).</summary>
    public bool Fused { get; }

    public override void Step()
    {
        step++;
        using var _ = torch.no_grad();
        if (Fused)
        {
            stepCount.fill_(step);
            FusedAdamKernel.Step(Flat.Data, Flat.Grad, expAvg, expAvgSq, stepCount, LearningRate, Beta1, Beta2, weightDecay, Eps);
            return;
        }
        using var scope = torch.NewDisposeScope();
        double correction1 = 1 - Math.Pow(Beta1, step), correction2 = 1 - Math.Pow(Beta2, step);
        var g = weightDecay != 0 ? Flat.Grad.add(Flat.Data, alpha: weightDecay) : Flat.Grad;
        expAvg.mul_(Beta1).add_(g, alpha: 1 - Beta1);
        expAvgSq.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
        var denominator = (expAvgSq.sqrt() / Math.Sqrt(correction2)).add_(Eps);
        Flat.Data.addcdiv_(expAvg, denominator, value: -LearningRate / correction1);
    }

    public override void Save(string path)
    {
        foreach (var state in file.States) ((TorchSharp.Modules.Adam.State)state).step = step;
        file.Save(path, LearningRate);
    }

    public override void Load(string path)
    {
        file.Load(path);
        var steps = file.States.Select(s => ((TorchSharp.Modules.Adam.State)s).step).Distinct().ToList();
        if (steps.Count != 1) throw new SelfSupError($"'{path}' holds Adam step counts {string.Join(", ", steps)} for one model; all parameters step together, so it was not written by SelfSup");
        step = steps[0];
    }

    protected override void DisposeState()
    {
        file.Dispose();
        expAvg.Dispose(); expAvgSq.Dispose(); stepCount.Dispose();
    }
}
