using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random solarization, decided independently for every image. A chosen image has its bright pixels
/// inverted: <c>y = 1 − x</c> where <c>x ≥ t</c>, <c>y = x</c> elsewhere (t = 0.5 by default).
/// </summary>
/// <param name="probability">Probability that an image is solarized.</param>
/// <param name="threshold">Pixels at or above this value are inverted.</param>
public sealed class Solarize(double probability, double threshold = 0.5) : RandomlyAppliedOp(probability, "the solarize probability")
{
    /// <summary>Pixels at or above this value are inverted.</summary>
    public double Threshold { get; } = threshold;

    /// <summary>Uniforms per image: u₀ decides whether it is solarized.</summary>
    public override int Draws => 1;

    /// <inheritdoc/>
    protected override Tensor Changed(Tensor x, Tensor u) => where(x.ge(Threshold), 1 - x, x);
}
