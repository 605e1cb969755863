using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random grayscale, decided independently for every image. A chosen colour image is replaced by its
/// ITU-R 601 luma in all three channels, <c>Y = 0.299·R + 0.587·G + 0.114·B</c>, so the channel count stays 3.
/// One-channel images are already gray and pass through unchanged.
/// </summary>
public sealed class RandomGrayscale
{
    /// <summary>ITU-R BT.601 luma weights for R, G, B.</summary>
    public static readonly float[] LumaWeights = [0.299f, 0.587f, 0.114f];

    /// <summary>Creates the op.</summary>
    /// <param name="probability">Probability that an image is turned gray.</param>
    public RandomGrayscale(double probability)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1]");
        Probability = probability;
    }

    /// <summary>Probability that an image is turned gray.</summary>
    public double Probability { get; }

    /// <summary>As <see cref="Apply(Tensor, Tensor)"/> with uniforms drawn from <paramref name="gen"/> (tests and previews).</summary>
    public Tensor Apply(Tensor x, Generator gen)
    {
        using var u = rand(new long[] { x.shape[0], Draws }, float64, generator: gen);
        return Apply(x, u);
    }

    /// <summary>Uniforms per image: u₀ decides whether it turns gray.</summary>
    public const int Draws = 1;

    /// <summary>
    /// Turns colour image b of <paramref name="x"/> (B×3×H×W) gray when <c>u[b, 0] &lt; p</c>
    /// (<paramref name="u"/> is B×<see cref="Draws"/>); one-channel images pass through.
    /// </summary>
    public Tensor Apply(Tensor x, Tensor u)
    {
        if (Probability <= 0 || x.shape[1] == 1) return x.alias();
        using var scope = NewDisposeScope();
        var gray = u[.., 0].to(x.device).lt(Probability).view(-1, 1, 1, 1);
        return where(gray, Luma(x).expand_as(x), x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Luma of B×C×H×W images as B×1×H×W: <c>0.299·R + 0.587·G + 0.114·B</c> for three channels,
    /// the image itself (as a copy) for one channel.
    /// </summary>
    public static Tensor Luma(Tensor x)
    {
        if (x.shape[1] == 1) return x.clone();
        if (x.shape[1] != 3) throw new ArgumentException($"expected 1 or 3 channels, got {x.shape[1]}", nameof(x));
        using var scope = NewDisposeScope();   // weights as scalars: no constant tensor to copy to the device per batch
        return (x.narrow(1, 0, 1) * LumaWeights[0]).add_(x.narrow(1, 1, 1), alpha: LumaWeights[1]).add_(x.narrow(1, 2, 1), alpha: LumaWeights[2]).MoveToOuterDisposeScope();
    }
}
