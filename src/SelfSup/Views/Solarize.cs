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

    /// <summary>Solarizes each image of <paramref name="x"/> (B×C×H×W in [0, 1]) with probability p; draws nothing when p = 0.</summary>
    public Tensor Apply(Tensor x, Generator gen)
    {
        if (Probability <= 0) return x.alias();
        using var scope = NewDisposeScope();
        var chosen = rand(new long[] { x.shape[0] }, generator: gen).lt(Probability).view(-1, 1, 1, 1);
        return where(chosen & x.ge(Threshold), 1 - x, x).MoveToOuterDisposeScope();
    }
}
