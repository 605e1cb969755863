using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>
/// Two-view VICReg exactly as in the authors' reference code (facebookresearch/vicreg,
/// main_vicreg.py; Bardes, Ponce and LeCun, "VICReg: Variance-Invariance-Covariance Regularization
/// for Self-Supervised Learning", ICLR 2022), the baseline of Ghosh, Agrawal et al., "Harnessing
/// small projectors and multiple views for efficient vision pretraining" (NeurIPS 2024)
/// ("vicreg-official").
/// <para>
/// L = λ·mse(x, y) + μ·(½ mean_k relu(1 − sqrt(var(x)_k + 1e-4)) + ½ mean_k relu(1 − sqrt(var(y)_k + 1e-4)))
///   + ν·(Σ_{i≠j} cov(x)_ij² / d + Σ_{i≠j} cov(y)_ij² / d),
/// with unbiased variance, cov(x) = x̃ᵀx̃ / (N−1), x̃ = x − mean(x), and λ = μ = 25, ν = 1.
/// Needs exactly M = 2 views.
/// </para>
/// </summary>
public sealed class OfficialVicRegLoss : IMultiViewLoss
{
    /// <summary>The ε added to the variance before the square root.</summary>
    public const double VarianceEps = 1e-4;

    /// <summary>Creates the loss with the official weights by default.</summary>
    public OfficialVicRegLoss(double lambda = 25.0, double mu = 25.0, double nu = 1.0)
    {
        foreach (var (name, v) in new[] { ("lambda", lambda), ("mu", mu), ("nu", nu) })
            if (!double.IsFinite(v) || v < 0)
                throw new SelfSupError($"loss 'vicreg-official': {name} must be a finite number >= 0, got {v}; the official values are lambda = mu = 25, nu = 1.");
        Lambda = lambda;
        Mu = mu;
        Nu = nu;
    }

    /// <inheritdoc />
    public string Name => "vicreg-official";

    /// <summary>Invariance weight λ.</summary>
    public double Lambda { get; }

    /// <summary>Variance weight μ.</summary>
    public double Mu { get; }

    /// <summary>Covariance weight ν.</summary>
    public double Nu { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor z)
    {
        LossInput.Check(z, Name, minViews: 2, maxViews: 2);
        using var scope = NewDisposeScope();
        var x = z.select(1, 0);
        var y = z.select(1, 1);
        var xc = Centre(x);
        var yc = Centre(y);
        var loss = Lambda * Invariance(x, y)
                 + Mu * (Variance(xc) + Variance(yc))
                 + Nu * (Covariance(xc) + Covariance(yc));
        return loss.MoveToOuterDisposeScope();
    }

    private static Tensor Centre(Tensor x) => x - x.mean(new long[] { 0 }, keepdim: true);

    /// <summary>Mean squared error between the two views.</summary>
    private static Tensor Invariance(Tensor x, Tensor y) => (x - y).square().mean();

    /// <summary>½ mean_k relu(1 − sqrt(var_k + 1e-4)), unbiased variance.</summary>
    private static Tensor Variance(Tensor centred) =>
        (1.0 - (centred.var(0L, unbiased: true) + VarianceEps).sqrt()).relu().mean() / 2;

    /// <summary>Σ_{i≠j} cov_ij² / d with cov = x̃ᵀx̃ / (N−1) for centred x̃.</summary>
    private static Tensor Covariance(Tensor centred)
    {
        long n = centred.shape[0], d = centred.shape[1];
        var cov = centred.t().matmul(centred) / (n - 1);
        return LossMath.OffDiagonalSquaredSum(cov) / d;
    }
}
