using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random grayscale, decided independently for every image. A chosen colour image is replaced by its
/// ITU-R 601 luma in all three channels, <c>Y = 0.299·R + 0.587·G + 0.114·B</c>, so the channel count stays 3.
/// One-channel images are already gray and pass through unchanged.
/// </summary>
/// <param name="probability">Probability that an image is turned gray.</param>
public sealed class RandomGrayscale(double probability) : RandomlyAppliedOp(probability, "the grayscale probability")
{
    /// <summary>ITU-R BT.601 luma weights for R, G, B.</summary>
    public static readonly float[] LumaWeights = [0.299f, 0.587f, 0.114f];

    /// <summary>Uniforms per image: u₀ decides whether it turns gray.</summary>
    public override int Draws => 1;

    /// <summary>One-channel images are gray already and pass through.</summary>
    protected override bool AppliesTo(Tensor x) => x.shape[1] != 1;

    /// <inheritdoc/>
    protected override Tensor Changed(Tensor x, Tensor u) => Luma(x).expand_as(x);

    /// <summary>
    /// Luma of B×C×H×W images as B×1×H×W: <c>0.299·R + 0.587·G + 0.114·B</c> for three channels,
    /// the image itself (as a copy) for one channel.
    /// </summary>
    public static Tensor Luma(Tensor x)
    {
        if (x.shape[1] == 1) return x.clone();
        if (x.shape[1] != 3) throw new SelfSupError($"Luma expects 1- or 3-channel images, got {x.shape[1]} channels");
        using var scope = NewDisposeScope();   // weights as scalars: no constant tensor to copy to the device per batch
        return (x.narrow(1, 0, 1) * LumaWeights[0]).add_(x.narrow(1, 1, 1), alpha: LumaWeights[1]).add_(x.narrow(1, 2, 1), alpha: LumaWeights[2]).MoveToOuterDisposeScope();
    }
}
