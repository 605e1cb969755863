using SelfSup.Theory;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Theory;

/// <summary>
/// The augmentation kernel and the alignment metric on worlds small enough to solve by hand: expected values are
/// built in the test (Fourier modes of a ring, block indicators), not taken from the code under test.
/// </summary>
public sealed class AugmentationKernelTests
{
    /// <summary>Ring with radius 1: P = (S⁻¹ + I + S)/3, eigenvalues (1 + 2 cos(2πk/n))/3 on cos/sin(2πkj/n); T = P².</summary>
    private static double[,] Ring(int n)
    {
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int k = -1; k <= 1; k++) p[i, (i + k + n) % n] += 1.0 / 3;
        return p;
    }

    /// <summary>The Fourier modes k = 1 … pairs of a ring, as n × 2·pairs columns (cos, sin).</summary>
    private static Tensor Fourier(int n, int pairs)
    {
        var f = new double[n, 2 * pairs];
        for (int j = 0; j < n; j++)
            for (int k = 1; k <= pairs; k++)
            {
                f[j, 2 * k - 2] = Math.Cos(2 * Math.PI * k * j / n);
                f[j, 2 * k - 1] = Math.Sin(2 * Math.PI * k * j / n);
            }
        return tensor(f, dtype: float64);
    }

    [Fact]
    public void RingEigenvaluesAreTheSquaredFourierMultipliers()
    {
        const int n = 12;
        using var kernel = AugmentationKernel.FromTransition(Ring(n));
        var expected = Enumerable.Range(0, n).Select(k => Math.Pow((1 + 2 * Math.Cos(2 * Math.PI * k / n)) / 3, 2)).OrderDescending().ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], kernel.Eigenvalues[i], 1e-12);
    }

    [Fact]
    public void ExactEigenfunctionsAsFeaturesScoreOne()
    {
        const int n = 12;
        using var kernel = AugmentationKernel.FromTransition(Ring(n));
        using var modes = Fourier(n, 2);   // k = 1, 2: the top 4 non-constant eigenfunctions, λ = 0.62, 0.11 (k = 3 gives 0)
        Assert.Equal(1.0, kernel.Align(modes, 4), 1e-9);
        Assert.Equal(1.0, kernel.Align(modes.narrow(1, 0, 2), 2), 1e-9);
        // the second pair alone is orthogonal to the top pair: alignment 0 against the top 2
        Assert.Equal(0.0, kernel.Align(modes.narrow(1, 2, 2), 2), 1e-9);
        // the code's own eigenfunctions agree with the hand-built ones
        Assert.Equal(1.0, SubspaceAlignment.Compute(kernel.TopEigenfunctions(4), modes), 1e-9);
    }

    [Fact]
    public void RandomFeaturesScoreAboutDOverNMinusOne()
    {
        const int n = 200, d = 10, seeds = 20;
        using var kernel = AugmentationKernel.FromTransition(Ring(n));
        double mean = 0;
        for (int s = 0; s < seeds; s++)
        {
            using var g = new Generator((ulong)(s + 1));
            using var f = randn(n, d, dtype: float64, generator: g);
            mean += kernel.Align(f, d) / seeds;
        }
        // Centred features live in the (n−1)-dimensional complement of the constant, so E = d/(n−1) = 0.0503.
        // One draw: each of the d target directions keeps a Beta(d/2, (n−1−d)/2) share, std ≈ √(2d)/(n−1) ≈ 0.022,
        // so the mean over d is within ≈ 0.022/√d·√(correlation) ≤ 0.01 and the mean over 20 seeds within ≈ 0.0025;
        // 0.01 is ≥ 4 standard deviations.
        Assert.InRange(mean, d / (n - 1.0) - 0.01, d / (n - 1.0) + 0.01);
    }

    [Fact]
    public void AlignmentIsInvariantToRotationRescalingAndOffsets()
    {
        const int n = 30, d = 4;
        using var kernel = AugmentationKernel.FromTransition(Ring(n));
        using var g = new Generator(7);
        // features half-aligned: the top pair plus two random directions
        using var f = cat([Fourier(n, 1), randn(n, 2, dtype: float64, generator: g)], 1);
        double reference = kernel.Align(f, d);
        Assert.InRange(reference, 0.5, 0.7);
        var (q, _) = linalg.qr(randn(d, d, dtype: float64, generator: g));
        using var scale = tensor(new[] { 1e-3, 2.0, 50.0, 0.7 }, dtype: float64);
        using var transformed = f.matmul(q) * scale + 3.5;   // rotate, rescale each feature, shift
        Assert.Equal(reference, kernel.Align(transformed, d), 1e-9);
        using var mixed = f.matmul(randn(d, d, dtype: float64, generator: g));   // any invertible mixing
        Assert.Equal(reference, kernel.Align(mixed, d), 1e-9);
    }

    [Fact]
    public void PlantedBlocksAreRecoveredAsTheTopEigenfunctions()
    {
        // 4 blocks of 10: stay in the block with probability 0.9 (uniform inside), else a uniform image of another block
        const int n = 40, blocks = 4, size = n / blocks;
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                p[i, j] = i / size == j / size ? 0.9 / size : 0.1 / (n - size);
        using var kernel = AugmentationKernel.FromTransition(p);
        // P restricted to block indicators has eigenvalue 0.9 − 0.1/3 (3 times), the rest of P is 0: T = P² has
        // (0.9 − 0.1/3)² three times, then zeros.
        double top = Math.Pow(0.9 - 0.1 / 3, 2);
        for (int k = 1; k <= 3; k++) Assert.Equal(top, kernel.Eigenvalues[k], 1e-10);
        Assert.Equal(0.0, kernel.Eigenvalues[4], 1e-10);
        var indicators = new double[n, blocks];
        for (int i = 0; i < n; i++) indicators[i, i / size] = 1;
        using var blockFeatures = tensor(indicators, dtype: float64);
        Assert.Equal(1.0, kernel.Align(blockFeatures, 3), 1e-9);
        // the eigenfunctions are constant on each block and differ between blocks: the blocks can be read off
        using var phi = kernel.TopEigenfunctions(3);
        for (int b = 0; b < blocks; b++)
        {
            using var rows = phi.narrow(0, b * size, size);
            Assert.True((rows - rows[0]).abs().max().item<double>() < 1e-9, $"block {b}: eigenfunctions vary inside the block");
            for (int other = b + 1; other < blocks; other++)
                Assert.True((phi[b * size] - phi[other * size]).norm().item<double>() > 0.1, $"blocks {b} and {other} look alike");
        }
    }

    [Fact]
    public void EigenfunctionsOfANonSymmetricTransitionSatisfyTheAveragingEquation()
    {
        // T f(j) = (1/q_j) Σ_k W_jk f(k) with W = PᵀP/n and q = Pᵀ1/n, written out by hand
        const int n = 9;
        var rng = new Random(3);
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            for (int j = 0; j < n; j++) p[i, j] = row[j] / row.Sum();
        }
        using var kernel = AugmentationKernel.FromTransition(p);
        using var phi = kernel.TopEigenfunctions(3);
        var f = phi.data<double>().ToArray();
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < n; j++)
            {
                double q = 0, tf = 0;
                for (int i = 0; i < n; i++) q += p[i, j] / n;
                for (int k = 0; k < n; k++)
                {
                    double w = 0;
                    for (int i = 0; i < n; i++) w += p[i, j] * p[i, k] / n;
                    tf += w * f[k * 3 + c];
                }
                Assert.Equal(kernel.Eigenvalues[c + 1] * f[j * 3 + c], tf / q, 1e-9);
            }
    }

    [Fact]
    public void ANonStochasticTransitionIsRejectedWithTheFix()
    {
        var p = new double[3, 3] { { 0.5, 0.5, 0 }, { 0.2, 0.2, 0.2 }, { 0, 0, 1 } };
        var e = Assert.Throws<SelfSupError>(() => new SyntheticWorld(p, SyntheticWorld.OneHot(3), 0, "--transition p.npy"));
        Assert.Contains("--transition p.npy", e.Message);
        Assert.Contains("row 1", e.Message);
        Assert.Contains("row-stochastic", e.Message);
    }
}
