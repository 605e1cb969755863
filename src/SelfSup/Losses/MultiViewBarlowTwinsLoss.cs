using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>
/// Multi-view Barlow Twins ("bt"), the main objective of Ghosh, Agrawal et al.,
/// "Harnessing small projectors and multiple views for efficient vision pretraining" (NeurIPS 2024),
/// in the form of the authors' fastssl code.
/// <para>
/// Preprocessing: each embedding row is L2-normalised along d (optional), then every dimension is
/// standardised with the mean and unbiased std over all N·M rows jointly (with a tiny ε, <see cref="EmbeddingMath.StdEpsilon"/>,
/// so a constant dimension gives a finite loss).
/// </para>
/// <para>
/// M = 2: C = Z₁ᵀZ₂ / N and
/// L = Σ_k (1 − C_kk)² + λ Σ_{k≠l} C_kl².
/// </para>
/// <para>
/// M &gt; 2: with Z̄ = (1/M) Σ_a Z_a (N x d),
/// L = (1/M) Σ_a Σ_k (1 − (1/N) Σ_n Z_a[n,k] Z̄[n,k])² + λ Σ_{k≠l} (Z̄ᵀZ̄ / N)_kl².
/// Comparing each view with the mean of the views costs O(M) and equals the pairwise objective
/// up to a constant (see <see cref="PairwiseBarlowTwinsLoss"/> for the O(M²) form).
/// </para>
/// λ is the paper's orthogonality weight β; the recommended setting is
/// <see cref="OrthogonalityWeight.ForProjector"/> = c / d.
/// <para>
/// Multi-crop (<see cref="TargetViews"/> = T &lt; M, the first T views full-size, the rest small crops): the mean is over
/// the full-size views only, Z̄ = (1/T) Σ_{a ≤ T} Z_a, and every view, small crops included, is compared with it,
/// L = (1/M) Σ_a Σ_k (1 − (1/N) Σ_n Z_a[n,k] Z̄[n,k])² + λ Σ_{k≠l} (Z̄ᵀZ̄ / N)_kl² (also for T = 2). A small crop sees
/// part of the image, so it is pulled towards the image's full views but does not move the target, as in SwAV and
/// DINO, whose targets come from the full-size crops only.
/// </para>
/// </summary>
public sealed class MultiViewBarlowTwinsLoss : IMultiViewLoss
{
    /// <summary>Creates the loss with orthogonality weight <paramref name="lambda"/> (β).</summary>
    /// <param name="lambda">Weight of the off-diagonal (orthogonality) term; must be finite and ≥ 0.</param>
    /// <param name="normalize">L2-normalise each embedding before standardising (the paper's default).</param>
    public MultiViewBarlowTwinsLoss(double lambda, bool normalize = true)
    {
        if (!double.IsFinite(lambda) || lambda < 0)
            throw new SelfSupError($"loss 'bt': lambda (orthogonality weight) must be a finite number >= 0, got {lambda}; use e.g. 4/d or 0.005.");
        Lambda = lambda;
        Normalize = normalize;
    }

    /// <inheritdoc />
    public string Name => "bt";

    /// <summary>Orthogonality weight λ (β in the paper).</summary>
    public double Lambda { get; }

    /// <summary>Whether embeddings are L2-normalised along d before standardisation.</summary>
    public bool Normalize { get; }

    /// <summary>How many of the M views (the first ones) are full-size and form the mean; null: all of them.</summary>
    public int? TargetViews { get; init; }

    /// <inheritdoc />
    public Tensor Forward(Tensor z)
    {
        var (n, m, _) = LossInput.Check(z, Name);
        int targets = TargetViews ?? (int)m;
        if (targets < 1 || targets > m)
            throw new SelfSupError($"loss 'bt': {targets} target views for embeddings of {m} views; the full-size views must be between 1 and M");
        using var scope = NewDisposeScope();
        var zs = Standardise(Normalize ? EmbeddingMath.L2Normalise(z) : z);
        Tensor invariance, orthogonality;
        if (m == 2 && targets == 2)
        {
            var c = zs.select(1, 0).t().matmul(zs.select(1, 1)) / n;
            invariance = Invariance(c.diagonal());
            orthogonality = LossMath.OffDiagonalSquaredSum(c);
        }
        else
        {
            var mean = zs.narrow(1, 0, targets).mean(new long[] { 1 });       // Z̄ over the full-size views, N x d
            var agreement = (zs * mean.unsqueeze(1)).sum(0L) / n;                // (1/N) Σ_n Z_a[n,k] Z̄[n,k], M x d
            invariance = Invariance(agreement) / m;
            orthogonality = LossMath.OffDiagonalSquaredSum(mean.t().matmul(mean) / n);
        }
        return (invariance + Lambda * orthogonality).MoveToOuterDisposeScope();
    }

    /// <summary>Per-dimension standardisation <c>(z − μ) / √(σ² + ε)</c>, μ and the unbiased σ² over all N·M rows jointly.</summary>
    private static Tensor Standardise(Tensor z)
    {
        long n = z.shape[0], m = z.shape[1], d = z.shape[2];
        var flat = z.reshape(n * m, d);
        var centred = flat - flat.mean(new long[] { 0 }, keepdim: true);
        var std = (flat.var(0L, unbiased: true, keepdim: true) + EmbeddingMath.StdEpsilon).sqrt();
        return (centred / std).reshape(n, m, d);
    }

    /// <summary>Σ (1 − agreement)² over all entries: pulls each view's per-dimension agreement to 1.</summary>
    private static Tensor Invariance(Tensor agreement) => (1.0 - agreement).square().sum();
}
