using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>
/// Multi-view VICReg ("vicreg") as used by Ghosh, Agrawal et al., "Harnessing small projectors and
/// multiple views for efficient vision pretraining" (NeurIPS 2024; fastssl form): each view is
/// compared with the mean of the other views.
/// <para>
/// For view a: z₁ = Z_a, z₂ = (1/(M−1)) Σ_{b≠a} Z_b, and
/// inv_a = mse(z₁, z₂),
/// var_a = ½ mean_k relu(1 − std(z₁)_k) + ½ mean_k relu(1 − std(z₂)_k) (unbiased std; ε = 10⁻¹² under its root, see <see cref="EmbeddingMath.StdEpsilon"/>),
/// cov_a = Σ_{k≠l} cov(z₁)_kl² / d + Σ_{k≠l} cov(z₂)_kl² / d, cov(z) = z̃ᵀz̃ / (N−1), z̃ = z − mean(z).
/// </para>
/// <para>
/// M = 2: only a = the first view, L = λ·inv + μ·var + ν·cov.
/// M &gt; 2: L = (1/M) Σ_a (λ·inv_a + μ·var_a + ν·cov_a).
/// Defaults λ = μ = 25, ν = 1; the relative orthogonality weight is ν/λ.
/// </para>
/// (The authors centre z₂ as the mean of the other views' centred embeddings; that is the same
/// matrix as z₂ − mean(z₂), which is what is computed here.)
/// </summary>
public sealed class MultiViewVicRegLoss : IMultiViewLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="lambda">Invariance weight λ (default 25).</param>
    /// <param name="mu">Variance weight μ (default 25).</param>
    /// <param name="nu">Covariance weight ν (default 1).</param>
    public MultiViewVicRegLoss(double lambda = 25.0, double mu = 25.0, double nu = 1.0)
    {
        foreach (var (name, v) in new[] { ("lambda", lambda), ("mu", mu), ("nu", nu) })
            if (!double.IsFinite(v) || v < 0)
                throw new SelfSupError($"loss 'vicreg': {name} must be a finite number >= 0, got {v}; the defaults are lambda = mu = 25, nu = 1.");
        Lambda = lambda;
        Mu = mu;
        Nu = nu;
    }

    /// <inheritdoc />
    public string Name => "vicreg";

    /// <summary>Invariance weight λ.</summary>
    public double Lambda { get; }

    /// <summary>Variance weight μ.</summary>
    public double Mu { get; }

    /// <summary>Covariance weight ν.</summary>
    public double Nu { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor z)
    {
        var (_, m, _) = LossInput.Check(z, Name);
        using var scope = NewDisposeScope();
        var sumOfViews = z.sum(1L);                                  // N x d
        long anchors = m == 2 ? 1 : m;
        Tensor? total = null;
        for (long a = 0; a < anchors; a++)
        {
            var z1 = z.select(1, a);
            var z2 = (sumOfViews - z1) / (m - 1);                    // mean of the other views
            var term = Lambda * Invariance(z1, z2)
                     + Mu * (Variance(z1) + Variance(z2))
                     + Nu * (Covariance(z1) + Covariance(z2));
            total = total is null ? term : total + term;
        }
        var loss = m > 2 ? total! / m : total!;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Mean squared error between the two embeddings.</summary>
    private static Tensor Invariance(Tensor z1, Tensor z2) => (z1 - z2).square().mean();

    /// <summary>½ mean_k relu(1 − √(var_k(z) + ε)), unbiased variance over the batch, ε = <see cref="EmbeddingMath.StdEpsilon"/>.</summary>
    private static Tensor Variance(Tensor z) => (1.0 - (z.var(0L, unbiased: true) + EmbeddingMath.StdEpsilon).sqrt()).relu().mean() / 2;

    /// <summary>Σ_{k≠l} cov(z)_kl² / d with cov = z̃ᵀz̃ / (N−1).</summary>
    private static Tensor Covariance(Tensor z)
    {
        long n = z.shape[0], d = z.shape[1];
        var centred = z - z.mean(new long[] { 0 }, keepdim: true);
        var cov = centred.t().matmul(centred) / (n - 1);
        return LossMath.OffDiagonalSquaredSum(cov) / d;
    }
}
