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

    /// <summary>As <see cref="Apply(Tensor, Tensor)"/> with uniforms drawn from <paramref name="gen"/> (tests and previews).</summary>
    public Tensor Apply(Tensor x, Generator gen)
    {
        using var u = rand(new long[] { x.shape[0], Draws }, float64, generator: gen);
        return Apply(x, u);
    }

    /// <summary>Uniforms per image: u₀ decides the flip.</summary>
    public const int Draws = 1;

    /// <summary>Mirrors image b of <paramref name="x"/> (B×C×H×W) when <c>u[b, 0] &lt; p</c>; <paramref name="u"/> is B×<see cref="Draws"/>.</summary>
    public Tensor Apply(Tensor x, Tensor u)
    {
        if (Probability <= 0) return x.alias();
        using var scope = NewDisposeScope();
        var flip = u[.., 0].to(x.device).lt(Probability).view(-1, 1, 1, 1);
        return where(flip, x.flip(3), x).MoveToOuterDisposeScope();
    }
}
