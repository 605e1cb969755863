namespace SelfSup.Evaluation;

/// <summary>
/// The eigenvalue spectrum of a representation's covariance and two summaries of it.
/// <list type="bullet">
/// <item><b>Power-law decay α</b> (Agrawal et al. 2022, α-ReQ): λ_i ≈ b·i^(−α), fitted by least squares
/// of log λ_i = −α·log i + log b over ranks i = <see cref="FitFrom"/>..<see cref="FitTo"/> (1-based).</item>
/// <item><b>Effective rank</b> (Roy and Vetterli 2007): exp(−Σ p_i log p_i) with p = λ / Σλ; equals d for an
/// isotropic d-dimensional covariance and 1 when one direction holds all the variance.</item>
/// </list>
/// </summary>
/// <param name="Eigenvalues">Covariance eigenvalues, largest first, negatives from round-off clamped to 0.</param>
/// <param name="Alpha">Fitted decay exponent; NaN when fewer than 2 eigenvalues are usable.</param>
/// <param name="EffectiveRank">exp of the entropy of the normalised spectrum.</param>
/// <param name="FitFrom">First rank (1-based) used by the fit.</param>
/// <param name="FitTo">Last rank (1-based) used by the fit.</param>
public sealed record SpectrumResult(double[] Eigenvalues, double Alpha, double EffectiveRank, int FitFrom, int FitTo)
{
    /// <summary>α as a JSON-friendly value (null instead of NaN).</summary>
    public double? AlphaOrNull => double.IsFinite(Alpha) ? Alpha : null;

    /// <summary>The fitted power law b·i^(−α) at rank <paramref name="rank"/> (NaN without a fit).</summary>
    public double FittedAt(int rank)
    {
        if (!double.IsFinite(Alpha)) return double.NaN;
        var ranks = Enumerable.Range(FitFrom, Math.Max(0, FitTo - FitFrom + 1)).Where(i => i <= Eigenvalues.Length && Eigenvalues[i - 1] > 0).ToList();
        double logB = ranks.Average(i => Math.Log(Eigenvalues[i - 1]) + Alpha * Math.Log(i));
        return Math.Exp(logB - Alpha * Math.Log(rank));
    }
}
