using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>
/// Two-view Barlow Twins exactly as in the authors' reference code (facebookresearch/barlowtwins;
/// Zbontar et al., "Barlow Twins: Self-Supervised Learning via Redundancy Reduction", ICML 2021),
/// kept as the baseline that Ghosh, Agrawal et al., "Harnessing small projectors and multiple views
/// for efficient vision pretraining" (NeurIPS 2024) start from ("bt-official").
/// <para>
/// Each view is batch-normalised without affine parameters (biased variance, ε = 1e-5):
/// bn(z) = (z − mean) / sqrt(var + ε). Then c = bn(Z₁)ᵀ bn(Z₂) / N and
/// L = Σ_i (1 − c_ii)² + λ Σ_{i≠j} c_ij², default λ = 0.0051. Needs exactly M = 2 views.
/// </para>
/// </summary>
public sealed class OfficialBarlowTwinsLoss : IMultiViewLoss
{
    /// <summary>The λ of the official implementation.</summary>
    public const double DefaultLambda = 0.0051;

    /// <summary>BatchNorm1d epsilon.</summary>
    public const double BatchNormEps = 1e-5;

    /// <summary>Creates the loss with off-diagonal weight <paramref name="lambda"/>.</summary>
    public OfficialBarlowTwinsLoss(double lambda = DefaultLambda)
    {
        if (!double.IsFinite(lambda) || lambda < 0)
            throw new SelfSupError($"loss 'bt-official': lambda must be a finite number >= 0, got {lambda}; the official value is {DefaultLambda}.");
        Lambda = lambda;
    }

    /// <inheritdoc />
    public string Name => "bt-official";

    /// <summary>Off-diagonal (redundancy-reduction) weight λ.</summary>
    public double Lambda { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor z)
    {
        var (n, _, _) = LossInput.Check(z, Name, minViews: 2, maxViews: 2);
        using var scope = NewDisposeScope();
        var c = BatchNorm(z.select(1, 0)).t().matmul(BatchNorm(z.select(1, 1))) / n;
        var loss = Invariance(c) + Lambda * LossMath.OffDiagonalSquaredSum(c);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>BatchNorm1d in training mode without affine parameters: biased variance, ε = 1e-5.</summary>
    private static Tensor BatchNorm(Tensor x)
    {
        var centred = x - x.mean(new long[] { 0 }, keepdim: true);
        var variance = x.var(0L, unbiased: false, keepdim: true);
        return centred / (variance + BatchNormEps).sqrt();
    }

    /// <summary>Σ_i (1 − c_ii)²: the cross-correlation of the same dimension across views should be 1.</summary>
    private static Tensor Invariance(Tensor c) => (1.0 - c.diagonal()).square().sum();
}
