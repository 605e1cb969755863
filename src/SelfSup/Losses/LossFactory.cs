namespace SelfSup.Losses;

/// <summary>
/// Builds a loss by method name. What <c>lambda</c> and <c>mu</c> mean depends on the method:
/// <list type="table">
/// <item><term>bt</term><description>multi-view Barlow Twins (<see cref="MultiViewBarlowTwinsLoss"/>); lambda = orthogonality weight β (usually <see cref="OrthogonalityWeight.ForProjector"/> = c/d); <c>normalize</c> = L2-normalise rows first; mu unused.</description></item>
/// <item><term>bt-pairwise</term><description>O(M²) pairwise Barlow Twins (<see cref="PairwiseBarlowTwinsLoss"/>); same lambda and normalize as bt; mu unused.</description></item>
/// <item><term>bt-official</term><description>official two-view Barlow Twins (<see cref="OfficialBarlowTwinsLoss"/>); lambda = off-diagonal weight (official 0.0051); mu and normalize unused.</description></item>
/// <item><term>vicreg</term><description>multi-view VICReg (<see cref="MultiViewVicRegLoss"/>); lambda = invariance weight, mu = variance weight (both 25 by default; the caller passes them), covariance weight 1; normalize unused.</description></item>
/// <item><term>vicreg-official</term><description>official two-view VICReg (<see cref="OfficialVicRegLoss"/>); lambda, mu as for vicreg (official 25/25/1); normalize unused.</description></item>
/// </list>
/// </summary>
public static class LossFactory
{
    /// <summary>The method names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Methods { get; } =
        new[] { "bt", "bt-pairwise", "bt-official", "vicreg", "vicreg-official" };

    /// <summary>
    /// The weight passed as <c>lambda</c> to <see cref="Create"/> — the one place every caller resolves it:
    /// <list type="bullet">
    /// <item>bt, bt-pairwise: β from the setting, <c>auto</c> = c/d (<see cref="OrthogonalityWeight.ForProjector"/>);</item>
    /// <item>bt-official: a fixed <c>beta</c> if given, else the official λ = 0.0051 (the c/d rule belongs to the paper's loss, not to the official one);</item>
    /// <item>vicreg, vicreg-official: the invariance weight <paramref name="vicregLambda"/> (β does not apply).</item>
    /// </list>
    /// </summary>
    public static double Weight(string method, BetaSetting beta, int projDim, double vicregLambda) =>
        (method ?? "").Trim().ToLowerInvariant() switch
        {
            "bt-official" => beta.Fixed ?? OfficialBarlowTwinsLoss.DefaultLambda,
            "vicreg" or "vicreg-official" => vicregLambda,
            _ => beta.Resolve(projDim),
        };

    /// <summary>True for the Barlow Twins family, whose weight is the orthogonality weight β.</summary>
    public static bool UsesBeta(string method) => !(method ?? "").Trim().StartsWith("vicreg", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Creates the loss for <paramref name="method"/> (case-insensitive). <paramref name="targetViews"/>: with multi-crop,
    /// how many leading views are full-size (<see cref="MultiViewBarlowTwinsLoss.TargetViews"/>; bt only).
    /// </summary>
    /// <exception cref="SelfSupError">Unknown method, a weight the loss rejects, or target views for a loss without them.</exception>
    public static IMultiViewLoss Create(string method, double lambda, double mu, bool normalize, int? targetViews = null) =>
        (method ?? "").Trim().ToLowerInvariant() switch
        {
            "bt" => new MultiViewBarlowTwinsLoss(lambda, normalize) { TargetViews = targetViews },
            _ when targetViews is not null => throw new SelfSupError($"loss '{method}' has no full-size target views; multi-crop needs 'bt'"),
            "bt-pairwise" => new PairwiseBarlowTwinsLoss(lambda, normalize),
            "bt-official" => new OfficialBarlowTwinsLoss(lambda),
            "vicreg" => new MultiViewVicRegLoss(lambda, mu),
            "vicreg-official" => new OfficialVicRegLoss(lambda, mu),
            _ => throw new SelfSupError($"unknown loss method '{method}'; use one of: {string.Join(", ", Methods)}."),
        };
}
