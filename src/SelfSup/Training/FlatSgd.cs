using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// SGD with momentum and L2 weight decay, as <c>torch.optim.SGD</c> (no dampening, no Nesterov): with g ← ∇ + wd·w,
/// b ← g on the first step and b ← μb + g after, w ← w − lr·b, over all parameters at once (<see cref="FlatParameters"/>).
/// Checkpoints hold TorchSharp's SGD state format.
/// </summary>
public sealed class FlatSgd : FlatOptimizer
{
    private readonly HeavyBall heavyBall;
    private readonly OptimizerStateFile file;
    private readonly double weightDecay, momentum;

    public FlatSgd(FlatParameters flat, double lr, double weightDecay, double momentum) : base(flat, lr)
    {
        this.weightDecay = weightDecay; this.momentum = momentum;
        heavyBall = new HeavyBall(flat.Data, momentum);
        file = new OptimizerStateFile(torch.optim.SGD(flat.Parameters, lr, momentum: momentum, weight_decay: weightDecay));
    }

    public override void Step()
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var g = weightDecay != 0 ? Flat.Grad.add(Flat.Data, alpha: weightDecay) : Flat.Grad;
        if (momentum == 0) Flat.Data.add_(g, alpha: -LearningRate);
        else heavyBall.Step(Flat.Data, g, LearningRate);
    }

    public override void Save(string path)
    {
        for (int i = 0; i < Flat.Parameters.Count; i++)
        {
            var state = (TorchSharp.Modules.SGD.State)file.States[i];
            state.momentum_buffer?.Dispose();
            state.momentum_buffer = heavyBall.Started ? Flat.Segment(heavyBall.Velocity, i) : null;
        }
        file.Save(path, LearningRate);
    }

    public override void Load(string path)
    {
        file.Load(path);
        var buffers = file.States.Select(s => ((TorchSharp.Modules.SGD.State)s).momentum_buffer).ToList();
        heavyBall.Started = buffers.All(b => b is not null);
        if (!heavyBall.Started && buffers.Any(b => b is not null))
            throw new SelfSupError($"'{path}' holds momentum for some parameters only; all parameters step together, so it was not written by SelfSup");
        using var _ = torch.no_grad();
        for (int i = 0; i < buffers.Count && heavyBall.Started; i++)
        {
            using var view = Flat.Segment(heavyBall.Velocity, i);
            view.copy_(buffers[i]!);
        }
    }

    protected override void DisposeState()
    {
        file.Dispose();
        heavyBall.Dispose();
    }
}
