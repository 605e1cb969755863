using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// An op applied to each view with probability p, decided by the view's first uniform: <c>y_b = f(x_b, u_b[1..])</c>
/// if <c>u_b[0] &lt; p</c>, else <c>x_b</c>. Subclasses give f (<see cref="Changed"/>) and the uniforms it needs.
/// </summary>
public abstract class RandomlyAppliedOp : ViewOp
{
    /// <summary>Creates the op; <paramref name="what"/> names the probability in an error.</summary>
    /// <exception cref="SelfSupError"><paramref name="probability"/> is outside [0, 1].</exception>
    protected RandomlyAppliedOp(double probability, string what) => Probability = CheckProbability(probability, what);

    /// <summary>Probability p that a view is changed.</summary>
    public double Probability { get; }

    /// <inheritdoc/>
    public sealed override Tensor Transform(Tensor x, Tensor parameters)
    {
        if (Probability <= 0 || !AppliesTo(x)) return x.alias();
        using var scope = NewDisposeScope();
        var chosen = parameters[.., 0].to(x.device).lt(Probability).view(-1, 1, 1, 1);
        var changed = Changed(x, parameters.narrow(1, 1, Draws - 1));
        return where(chosen, changed, x).MoveToOuterDisposeScope();
    }

    /// <summary>Whether the op can change these views at all (grayscale leaves one-channel images alone).</summary>
    protected virtual bool AppliesTo(Tensor x) => true;

    /// <summary>Every view of <paramref name="x"/> changed, with its <see cref="ViewOp.Draws"/> − 1 own uniforms <paramref name="u"/>.</summary>
    protected abstract Tensor Changed(Tensor x, Tensor u);
}
