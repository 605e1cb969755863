using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Evaluation;

/// <summary>
/// Computes <see cref="SpectrumResult"/>s. The fit range is chosen so that numerically zero and
/// rank-deficient eigenvalues do not bend the line: ranks 1..K where K = ⌊0.9·r⌋ (at least 2) and r is the
/// number of eigenvalues above <see cref="RelativeThreshold"/> × λ_1. With N samples the sample
/// covariance has rank ≤ N − 1, and its last nonzero eigenvalues fall off sharply; dropping the last
/// 10 % keeps that edge out of the fit.
/// </summary>
public static class Spectrum
{
    /// <summary>Eigenvalues below this fraction of the largest are treated as zero.</summary>
    public const double RelativeThreshold = 1e-6;

    /// <summary>Share of the nonzero eigenvalues (from the largest) that the power-law fit uses.</summary>
    public const double FitShare = 0.9;

    /// <summary>Spectrum of the sample covariance of the rows of <paramref name="x"/> (N×F, N ≥ 2).</summary>
    public static SpectrumResult OfFeatures(Tensor x)
    {
        if (x.dim() != 2 || x.shape[0] < 2)
            throw new SelfSupError($"the spectrum needs an N×F matrix with N ≥ 2 samples; got shape [{string.Join(",", x.shape)}]");
        using var scope = torch.NewDisposeScope();
        var centred = x.to(ScalarType.Float64);
        centred = centred - centred.mean([0L], keepdim: true);
        var covariance = centred.T.matmul(centred) / (x.shape[0] - 1);
        return OfCovariance(covariance);
    }

    /// <summary>Spectrum of a symmetric covariance matrix (F×F).</summary>
    public static SpectrumResult OfCovariance(Tensor covariance)
    {
        if (covariance.dim() != 2 || covariance.shape[0] != covariance.shape[1])
            throw new SelfSupError($"a covariance must be a square matrix; got shape [{string.Join(",", covariance.shape)}]");
        using var scope = torch.NewDisposeScope();
        var values = torch.linalg.eigvalsh(covariance.to(ScalarType.Float64)).cpu().data<double>().ToArray();
        return FromEigenvalues(values);
    }

    /// <summary>α and effective rank of given eigenvalues (any order; negatives are clamped to 0).</summary>
    public static SpectrumResult FromEigenvalues(IEnumerable<double> eigenvalues)
    {
        var sorted = eigenvalues.Select(v => double.IsFinite(v) ? Math.Max(0, v) : 0).OrderByDescending(v => v).ToArray();
        if (sorted.Length == 0 || !(sorted[0] > 0)) return new SpectrumResult(sorted, double.NaN, sorted.Length == 0 ? 0 : 1, 1, 0);
        double threshold = RelativeThreshold * sorted[0];
        int nonzero = sorted.Count(v => v > threshold);
        int fitTo = Math.Min(nonzero, Math.Max(2, (int)Math.Floor(FitShare * nonzero)));
        return new SpectrumResult(sorted, FitPowerLaw(sorted, 1, fitTo), EffectiveRank(sorted), 1, fitTo);
    }

    /// <summary>exp(−Σ p_i log p_i) with p = λ / Σλ (terms with p_i = 0 contribute 0).</summary>
    public static double EffectiveRank(IReadOnlyList<double> eigenvalues)
    {
        double total = eigenvalues.Where(v => v > 0).Sum();
        if (!(total > 0)) return 0;
        double entropy = 0;
        foreach (var v in eigenvalues)
        {
            if (!(v > 0)) continue;
            double p = v / total;
            entropy -= p * Math.Log(p);
        }
        return Math.Exp(entropy);
    }

    /// <summary>
    /// Least-squares slope of log λ_i against log i over ranks <paramref name="from"/>..<paramref name="to"/>
    /// (1-based, λ sorted descending), returned as α = −slope. NaN when fewer than 2 ranks are in range.
    /// </summary>
    public static double FitPowerLaw(IReadOnlyList<double> sortedDescending, int from, int to)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = from; i <= to && i <= sortedDescending.Count; i++)
        {
            double v = sortedDescending[i - 1];
            if (!(v > 0)) continue;
            xs.Add(Math.Log(i));
            ys.Add(Math.Log(v));
        }
        if (xs.Count < 2) return double.NaN;
        double mx = xs.Average(), my = ys.Average(), sxy = 0, sxx = 0;
        for (int k = 0; k < xs.Count; k++)
        {
            sxy += (xs[k] - mx) * (ys[k] - my);
            sxx += (xs[k] - mx) * (xs[k] - mx);
        }
        return -sxy / sxx;
    }
}
