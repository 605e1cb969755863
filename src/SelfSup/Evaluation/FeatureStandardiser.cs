using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Evaluation;

/// <summary>
/// The linear probe's fixed affine map of features, fitted on the training features X (N×F) alone:
///   x'_j = (x_j − μ_j) · s_j,   s_j = 1 / √(σ_j² + ε)  if σ_j² &gt; 0,   s_j = 0  if σ_j² = 0,
///   ε = 10⁻³ · mean_j σ_j²,
/// with μ_j and σ_j² = mean_i (X_ij − μ_j)² the per-dimension mean and (population) variance of the
/// training set, computed in float64.
/// <para>
/// Why this rule: a plain 1/σ_j with a small absolute floor blows up on a dimension that is (nearly)
/// constant on the training set: any test variation there is multiplied by up to the floor's inverse
/// (10⁶ before). The relative ridge ε bounds every gain: s_j ≤ 1/√ε = √1000 / √(mean σ²) ≈ 31.6 × the
/// gain of a dimension of mean variance, whatever the features' scale (the map is unchanged when all
/// features are multiplied by a constant). For an ordinary dimension (σ_j² near the mean) it differs
/// from 1/σ_j by a factor 1/√1.001, i.e. 0.05 %. A dimension exactly constant on the training set carries
/// nothing a probe could learn from it, so it is mapped to 0 on train and test alike; when every dimension
/// is constant, ε = 0 and every feature is 0 (no division by zero).
/// </para>
/// </summary>
public sealed class FeatureStandardiser : IDisposable
{
    /// <summary>ε as a share of the mean per-dimension variance.</summary>
    public const double RelativeRidge = 1e-3;

    private readonly Tensor mean;    // 1×F, float32
    private readonly Tensor scale;   // 1×F, float32: s_j

    private FeatureStandardiser(Tensor mean, Tensor scale)
    {
        this.mean = mean;
        this.scale = scale;
    }

    /// <summary>Fits μ, σ² and ε on the training features (N×F, N ≥ 1).</summary>
    public static FeatureStandardiser Fit(Tensor trainX)
    {
        if (trainX.dim() != 2 || trainX.shape[0] < 1)
            throw new ArgumentException($"training features must be N×F with N ≥ 1; got [{string.Join(",", trainX.shape)}]");
        using var scope = torch.NewDisposeScope();
        var x = trainX.to(ScalarType.Float64);
        var mu = x.mean([0L], keepdim: true);
        var variance = (x - mu).square().mean([0L], keepdim: true);
        double epsilon = RelativeRidge * variance.mean().item<double>();
        var scale = torch.where(variance > 0, (variance + epsilon).rsqrt(), torch.zeros_like(variance));
        return new FeatureStandardiser(mu.to(ScalarType.Float32).MoveToOuterDisposeScope(), scale.to(ScalarType.Float32).MoveToOuterDisposeScope());
    }

    /// <summary>x' = (x − μ) · s, row by row (N×F in, N×F float32 out).</summary>
    public Tensor Apply(Tensor x)
    {
        if (x.dim() != 2 || x.shape[1] != mean.shape[1])
            throw new ArgumentException($"features must be N×{mean.shape[1]} like the training features; got [{string.Join(",", x.shape)}]");
        return (x.to(ScalarType.Float32) - mean) * scale;
    }

    public void Dispose()
    {
        mean.Dispose();
        scale.Dispose();
    }
}
