using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// LARS (You et al., 2017) as used by Barlow Twins and VICReg: for each weight matrix / kernel w
/// with gradient g,
///   g ← g + wd·w;  trust = η·‖w‖/‖g‖ (1 when either norm is 0);  v ← m·v + trust·g;  w ← w − lr·v.
/// Biases and BatchNorm parameters (1-D tensors) get neither weight decay nor the trust ratio.
/// </summary>
public sealed class LarsOptimizer : ITrainingOptimizer
{
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor?[] velocity;
    private readonly double weightDecay, momentum, eta;
    private double lr;

    public LarsOptimizer(IReadOnlyList<Parameter> parameters, double lr, double weightDecay, double momentum = 0.9, double eta = 0.001)
    {
        this.parameters = parameters;
        this.lr = lr; this.weightDecay = weightDecay; this.momentum = momentum; this.eta = eta;
        velocity = new Tensor?[parameters.Count];
    }

    public void ZeroGrad()
    {
        foreach (var p in parameters) p.grad?.zero_();
    }

    public void Step()
    {
        using var _ = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.grad is null) continue;
            using var scope = torch.NewDisposeScope();
            var g = p.grad.clone();
            if (p.dim() > 1)
            {
                g.add_(p, alpha: weightDecay);
                var wNorm = p.norm();
                var gNorm = g.norm();
                var trust = torch.where((wNorm > 0) & (gNorm > 0), eta * wNorm / gNorm, torch.ones_like(wNorm));
                g.mul_(trust);
            }
            // the velocity lives across steps: out of every dispose scope, including the trainer's per-step one
            if (velocity[i] is null) velocity[i] = g.detach().clone().DetachFromDisposeScope();
            else velocity[i]!.mul_(momentum).add_(g);
            p.add_(velocity[i]!, alpha: -lr);
        }
    }

    public void SetLearningRate(double lr) => this.lr = lr;

    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(velocity.Length);
        for (int i = 0; i < velocity.Length; i++)
        {
            writer.Write(velocity[i] is not null);
            velocity[i]?.Save(writer);
        }
    }

    public void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int n = reader.ReadInt32();
        if (n != velocity.Length) throw new SelfSupError($"'{path}' holds LARS state for {n} parameters but the model has {velocity.Length}; the checkpoint belongs to another model");
        for (int i = 0; i < n; i++)
        {
            if (!reader.ReadBoolean())
            {
                velocity[i]?.Dispose();
                velocity[i] = null;
                continue;
            }
            var t = torch.zeros_like(parameters[i]).DetachFromDisposeScope();
            t.Load(reader);
            velocity[i]?.Dispose();
            velocity[i] = t;
        }
    }

    public void Dispose()
    {
        foreach (var v in velocity) v?.Dispose();
    }
}
