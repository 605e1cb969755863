using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Distributed;

/// <summary>
/// The all-reduce that autograd differentiates: y = Σ_r x_r on every rank, and the gradient of x_r is
/// Σ_r' ∂L/∂y (an all-reduce of the incoming gradients).
/// <para>
/// Why the backward must reduce: every rank computes the same global loss L from y, so ∂L/∂y is the same on
/// each, and the true ∂L/∂x_r is Σ_r' ∂L_r'/∂y = R·∂L/∂y. After the usual averaging of parameter gradients over
/// the R ranks that gives exactly the single-process gradient of L. A plain all-reduce (gradient passed
/// through unchanged) leaves 1/R of it — the bug lightly shipped in its distributed Barlow Twins loss (#1977).
/// </para>
/// </summary>
public sealed class AllReduceFunction : autograd.SingleTensorFunction<AllReduceFunction>
{
    public override string Name => nameof(AllReduceFunction);

    /// <summary>Σ over ranks of <paramref name="x"/>, differentiable.</summary>
    public static Tensor Sum(Tensor x, ProcessGroup group) => group.Size == 1 ? x : apply(x, group);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var group = (ProcessGroup)vars[1];
        ctx.save_data("group", group);
        var y = x.detach().clone();
        group.AllReduceSum(y);
        return y;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var group = (ProcessGroup)ctx.get_data("group");
        var grad = gradOutput.clone();
        group.AllReduceSum(grad);
        return [grad, null!];   // one entry per argument of apply: the group has no gradient
    }
}
