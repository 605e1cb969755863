using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Heavy-ball momentum over a flat buffer, as SGD and LARS use it: v ← g on the first step, v ← μ·v + g after, then
/// w ← w − lr·v (PyTorch's SGD without dampening or Nesterov).
/// </summary>
internal sealed class HeavyBall(Tensor like, double momentum) : IDisposable
{
    /// <summary>v, laid out like the flat parameters.</summary>
    public Tensor Velocity { get; } = torch.zeros_like(like);

    /// <summary>Whether v holds a step yet (a checkpoint before the first step has no momentum).</summary>
    public bool Started { get; set; }

    /// <summary>One update of <paramref name="weights"/> from the step direction <paramref name="g"/>.</summary>
    public void Step(Tensor weights, Tensor g, double lr)
    {
        if (Started) Velocity.mul_(momentum).add_(g);
        else Velocity.copy_(g);
        Started = true;
        weights.add_(Velocity, alpha: -lr);
    }

    public void Dispose() => Velocity.Dispose();
}
