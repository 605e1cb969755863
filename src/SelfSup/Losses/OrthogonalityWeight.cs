using System.Globalization;

namespace SelfSup.Losses;

/// <summary>
/// The orthogonality-weight rule of Ghosh, Agrawal et al., "Harnessing small projectors and
/// multiple views for efficient vision pretraining" (NeurIPS 2024): a small projector works as well
/// as a wide one if the Barlow Twins orthogonality weight grows as the projector shrinks,
/// β = c / d (default c = 4; the authors' tuned values give β·d ≈ 1.5–6.6 on CIFAR/STL and
/// ≈ 5–20 on ImageNet-100).
/// </summary>
public static class OrthogonalityWeight
{
    /// <summary>Default constant c in β = c / d.</summary>
    public const double DefaultC = 4.0;

    /// <summary>β = c / d for a projector with output dimension <paramref name="projDim"/>.</summary>
    /// <exception cref="SelfSupError"><paramref name="projDim"/> or <paramref name="c"/> is not positive.</exception>
    public static double ForProjector(int projDim, double c = DefaultC)
    {
        if (projDim <= 0)
            throw new SelfSupError($"orthogonality weight: projector dimension must be positive, got {projDim}; check the projector size.");
        if (!double.IsFinite(c) || c <= 0)
            throw new SelfSupError($"orthogonality weight: the constant c in beta = c/d must be a positive number, got {c}; the default is {DefaultC}.");
        return c / projDim;
    }
}
