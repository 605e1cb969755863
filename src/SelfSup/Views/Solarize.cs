using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random solarization, decided independently for every image. A chosen image has its bright pixels
/// inverted: <c>y = 1 − x</c> where <c>x ≥ t</c>, <c>y = x</c> elsewhere (t = 0.5 by default).
/// </summary>
public sealed class Solarize
{
    /// <summary>Creates the op.</summary>
    /// <param name="probability">Probability that an image is solarized.</param>
    /// <param name="threshold">Pixels at or above this value are inverted.</param>
    public Solarize(double probability, double threshold = 0.5)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1]");
        Probability = probability;
        Threshold = threshold;
    }

    /// <summary>Probability that an image is solarized.</summary>
    public double Probability { get; }

    /// <summary>Pixels at or above this value are inverted.</summary>
    public double Threshold { get; }

    /// <summary>As <see cref="Apply(Tensor, Tensor)"/> with uniforms drawn from <paramref name="gen"/> (tests and previews).</summary>
    public Tensor Apply(Tensor x, Generator gen)
    {
        using var u = rand(new long[] { x.shape[0], Draws }, float64, generator: gen);
        return Apply(x, u);
    }

    /// <summary>Uniforms per image: u₀ decides whether it is solarized.</summary>
    public const int Draws = 1;

    /// <summary>Solarizes image b of <paramref name="x"/> (B×C×H×W in [0, 1]) when <c>u[b, 0] &lt; p</c>.</summary>
    public Tensor Apply(Tensor x, Tensor u)
    {
        if (Probability <= 0) return x.alias();
        using var scope = NewDisposeScope();
        var chosen = u[.., 0].to(x.device).lt(Probability).view(-1, 1, 1, 1);
        return where(chosen & x.ge(Threshold), 1 - x, x).MoveToOuterDisposeScope();
    }
}
