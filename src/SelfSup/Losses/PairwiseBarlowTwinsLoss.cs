using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>
/// Pairwise multi-view Barlow Twins ("bt-pairwise"): the two-view Barlow Twins loss averaged over
/// all M(M−1)/2 pairs of views — the O(M²) form that Ghosh, Agrawal et al., "Harnessing small
/// projectors and multiple views for efficient vision pretraining" (NeurIPS 2024) replace with the
/// O(M) comparison against the mean view (<see cref="MultiViewBarlowTwinsLoss"/>).
/// <para>
/// L = (2 / (M(M−1))) Σ_{a&lt;b} L_bt(Z_a, Z_b), where
/// L_bt(Z_a, Z_b) = Σ_k (1 − C_kk)² + λ Σ_{k≠l} C_kl² and C = Ẑ_aᵀ Ẑ_b / N.
/// </para>
/// <para>
/// Normalisation (the exact choice): each pair is treated as its own two-view batch, i.e. exactly
/// what "bt" does with M = 2 — embeddings are L2-normalised along d (optional), then each dimension
/// is standardised with the mean and unbiased std over that pair's 2N rows jointly (not over all
/// N·M rows). Hence with M = 2 this loss equals "bt" exactly.
/// </para>
/// </summary>
public sealed class PairwiseBarlowTwinsLoss : IMultiViewLoss
{
    private readonly MultiViewBarlowTwinsLoss _twoView;

    /// <summary>Creates the loss with orthogonality weight <paramref name="lambda"/> (β).</summary>
    /// <param name="lambda">Weight of the off-diagonal (orthogonality) term; must be finite and ≥ 0.</param>
    /// <param name="normalize">L2-normalise each embedding before standardising.</param>
    public PairwiseBarlowTwinsLoss(double lambda, bool normalize = true)
    {
        _twoView = new MultiViewBarlowTwinsLoss(lambda, normalize);
    }

    /// <inheritdoc />
    public string Name => "bt-pairwise";

    /// <summary>Orthogonality weight λ (β in the paper).</summary>
    public double Lambda => _twoView.Lambda;

    /// <summary>Whether embeddings are L2-normalised along d before standardisation.</summary>
    public bool Normalize => _twoView.Normalize;

    /// <inheritdoc />
    public Tensor Forward(Tensor z)
    {
        var (_, m, _) = LossInput.Check(z, Name);
        using var scope = NewDisposeScope();
        Tensor? total = null;
        long pairs = 0;
        for (long a = 0; a < m; a++)
        {
            for (long b = a + 1; b < m; b++)
            {
                var pairLoss = PairLoss(z, a, b);
                total = total is null ? pairLoss : total + pairLoss;
                pairs++;
            }
        }
        return (total! / pairs).MoveToOuterDisposeScope();
    }

    /// <summary>Two-view Barlow Twins on views a and b, standardised over their 2N rows.</summary>
    private Tensor PairLoss(Tensor z, long a, long b)
    {
        var index = tensor(new long[] { a, b }, device: z.device);
        return _twoView.Forward(z.index_select(1, index));
    }
}
