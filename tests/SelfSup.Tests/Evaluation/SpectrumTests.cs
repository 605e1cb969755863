using SelfSup.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Evaluation;

/// <summary>Spectra of covariances whose eigenvalues are known: power-law decay α and effective rank.</summary>
public sealed class SpectrumTests
{
    private static double[] PowerLaw(int d, double alpha) => Enumerable.Range(1, d).Select(i => Math.Pow(i, -alpha)).ToArray();

    /// <summary>A random orthogonal d×d matrix (QR of a seeded Gaussian matrix).</summary>
    private static Tensor RandomRotation(int d, ulong seed)
    {
        using var generator = new torch.Generator(seed);
        var (q, _) = torch.linalg.qr(torch.randn(d, d, dtype: ScalarType.Float64, generator: generator));
        return q;
    }

    [Fact]
    public void ExactPowerLawCovarianceGivesItsAlpha()
    {
        using var scope = torch.NewDisposeScope();
        var q = RandomRotation(64, 1);
        var covariance = q.matmul(torch.diag(torch.tensor(PowerLaw(64, 1.5)))).matmul(q.T);
        var s = Spectrum.OfCovariance(covariance);
        Assert.Equal(1.5, s.Alpha, 6);
        Assert.Equal(64, s.Eigenvalues.Length);
        Assert.True(s.Eigenvalues.Zip(s.Eigenvalues.Skip(1)).All(p => p.First >= p.Second), "eigenvalues must be sorted largest first");
        Assert.Equal(1, s.FitFrom);
        Assert.Equal(57, s.FitTo);   // ⌊0.9 · 64⌋
        Assert.Equal(Spectrum.EffectiveRank(PowerLaw(64, 1.5)), s.EffectiveRank, 6);
    }

    [Fact]
    public void SampledFeaturesWithAPowerLawCovarianceRecoverAlphaWithinATenth()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 20000, d = 32;
        using var generator = new torch.Generator(7);
        var scales = torch.tensor(PowerLaw(d, 1.5)).sqrt();
        var x = (torch.randn(n, d, dtype: ScalarType.Float64, generator: generator) * scales).matmul(RandomRotation(d, 3).T) + 5.0;
        var s = Spectrum.OfFeatures(x.to(ScalarType.Float32));
        Assert.InRange(s.Alpha, 1.4, 1.6);
        Assert.InRange(s.EffectiveRank, 0.95 * Spectrum.EffectiveRank(PowerLaw(d, 1.5)), 1.05 * Spectrum.EffectiveRank(PowerLaw(d, 1.5)));
    }

    [Fact]
    public void IsotropicCovarianceHasEffectiveRankD()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(20, Spectrum.OfCovariance(torch.eye(20, dtype: ScalarType.Float64) * 3.0).EffectiveRank, 9);
        using var generator = new torch.Generator(11);
        var sampled = Spectrum.OfFeatures(torch.randn(20000, 16, generator: generator));
        Assert.InRange(sampled.EffectiveRank, 15.8, 16.0);
        Assert.InRange(sampled.Alpha, -0.1, 0.1);     // a flat spectrum: α ≈ 0
    }

    [Fact]
    public void EffectiveRankIsTheExponentialOfTheSpectralEntropy()
    {
        // p = (1/4, 1/4, 1/2): H = ln 2 + ln 2 / 2 → exp(H) = 2^1.5
        Assert.Equal(Math.Pow(2, 1.5), Spectrum.EffectiveRank([1, 1, 2]), 12);
        Assert.Equal(1, Spectrum.EffectiveRank([5, 0, 0, 0]), 12);
        Assert.Equal(0, Spectrum.EffectiveRank([0, 0]), 12);
    }

    [Fact]
    public void ZeroEigenvaluesAreLeftOutOfTheFit()
    {
        var values = PowerLaw(10, 2).Concat(Enumerable.Repeat(0.0, 5)).Concat([-1e-17]).ToArray();
        var s = Spectrum.FromEigenvalues(values.Reverse());
        Assert.Equal(2, s.Alpha, 9);
        Assert.Equal(9, s.FitTo);            // ⌊0.9 · 10 nonzero⌋
        Assert.Equal(0, s.Eigenvalues[^1]);  // round-off negatives clamped
        Assert.Equal(PowerLaw(10, 2)[4], s.FittedAt(5), 9);
    }

    [Fact]
    public void OneDirectionHasEffectiveRankOneAndNoAlpha()
    {
        var s = Spectrum.FromEigenvalues([4, 0, 0]);
        Assert.Equal(1, s.EffectiveRank, 12);
        Assert.True(double.IsNaN(s.Alpha));
        Assert.Null(s.AlphaOrNull);
        Assert.Throws<SelfSupError>(() => Spectrum.OfFeatures(torch.zeros(1, 4)));
    }
}
