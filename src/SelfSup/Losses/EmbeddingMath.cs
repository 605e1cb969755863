using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>What the losses, the collapse monitor and kNN share about embeddings: row-wise L2 normalisation and the ε of a standard deviation.</summary>
public static class EmbeddingMath
{
    /// <summary>
    /// ε under the square root of a variance, <c>√(σ² + ε)</c>. A dimension that is constant over the batch has σ = 0:
    /// without ε its standardised values and the gradient of σ are 0/0 = NaN. With ε = 10⁻¹² a constant dimension
    /// standardises to 0, finite, and ε moves σ by less than ε / (2σ²) relative — below 10⁻⁸ for any σ ≥ 10⁻², the
    /// scale of L2-normalised embeddings (≈ 1/√d) — so the reference values are matched as before.
    /// </summary>
    public const double StdEpsilon = 1e-12;

    /// <summary>Each row divided by max(‖row‖₂, 10⁻¹²) along the last dimension, as torch.nn.functional.normalize.</summary>
    public static Tensor L2Normalise(Tensor x) => x / x.norm(-1, keepdim: true).clamp_min(1e-12);
}
