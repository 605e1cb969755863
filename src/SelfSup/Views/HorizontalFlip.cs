using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random horizontal flip, decided independently for every image:
/// <c>y_b = flip_W(x_b)</c> if <c>u_b &lt; p</c>, else <c>x_b</c>, with <c>u_b ~ U[0, 1)</c>.
/// </summary>
public sealed class HorizontalFlip
{
    /// <summary>Creates the op.</summary>
    /// <param name="probability">Probability p that an image is mirrored.</param>
    public HorizontalFlip(double probability)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1]");
        Probability = probability;
    }

    /// <summary>Probability that an image is mirrored.</summary>
    public double Probability { get; }

    /// <summary>Mirrors each image of <paramref name="x"/> (B×C×H×W) with probability p; draws nothing when p = 0.</summary>
    public Tensor Apply(Tensor x, Generator gen)
    {
        if (Probability <= 0) return x.alias();
        using var scope = NewDisposeScope();
        var flip = rand(new long[] { x.shape[0] }, generator: gen).lt(Probability).view(-1, 1, 1, 1);
        return where(flip, x.flip(3), x).MoveToOuterDisposeScope();
    }
}
