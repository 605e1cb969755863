using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random horizontal flip, decided independently for every image:
/// <c>y_b = flip_W(x_b)</c> if <c>u_b &lt; p</c>, else <c>x_b</c>, with <c>u_b ~ U[0, 1)</c>.
/// </summary>
/// <param name="probability">Probability p that an image is mirrored.</param>
public sealed class HorizontalFlip(double probability) : RandomlyAppliedOp(probability, "the flip probability")
{
    /// <summary>Uniforms per image: u₀ decides the flip.</summary>
    public override int Draws => 1;

    /// <inheritdoc/>
    protected override Tensor Changed(Tensor x, Tensor u) => x.flip(3);
}
