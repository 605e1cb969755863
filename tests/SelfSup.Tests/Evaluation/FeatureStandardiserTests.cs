using SelfSup.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Evaluation;

/// <summary>The probe's standardisation x' = (x − μ)/√(σ² + ε), ε = 10⁻³·mean σ², on numbers worked out by hand.</summary>
public sealed class FeatureStandardiserTests
{
    private static float[] Row(Tensor x, int i) => x[i].data<float>().ToArray();

    [Fact]
    public void StandardisesWithTheRelativeRidgeAndZeroesAConstantDimension()
    {
        using var scope = torch.NewDisposeScope();
        // columns: μ = (2, 5, 2), σ² = (1, 0, 4) → mean σ² = 5/3, ε = 1/600
        var train = torch.tensor(new float[] { 1, 5, 0, 3, 5, 4 }).reshape(2, 3);
        var test = torch.tensor(new float[] { 4, 1000, 2, 0, -7, 6 }).reshape(2, 3);
        using var standardiser = FeatureStandardiser.Fit(train);

        var t = standardiser.Apply(train);
        Assert.Equal(-1 / Math.Sqrt(1 + 1 / 600.0), Row(t, 0)[0], 5);
        Assert.Equal(-2 / Math.Sqrt(4 + 1 / 600.0), Row(t, 0)[2], 5);
        var x = standardiser.Apply(test);
        Assert.Equal(new[] { 2 / Math.Sqrt(1 + 1 / 600.0), 0, 0 }, Row(x, 0).Select(v => (double)v), new Tolerance(1e-5));
        Assert.Equal(new[] { -2 / Math.Sqrt(1 + 1 / 600.0), 0, 4 / Math.Sqrt(4 + 1 / 600.0) }, Row(x, 1).Select(v => (double)v), new Tolerance(1e-5));
    }

    [Fact]
    public void ANearlyConstantDimensionIsAmplifiedAtMostAboutThirtyTimes()
    {
        using var scope = torch.NewDisposeScope();
        // three dims with σ² = 1 (values ±1) and one with σ² = 10⁻¹² (values 5 ± 10⁻⁶):
        // mean σ² = 0.75 → ε = 7.5·10⁻⁴; a test value 1 away from μ in that dim maps to 1/√(10⁻¹² + ε) ≈ 36.51,
        // not 1/10⁻⁶ = 10⁶ as with a std floor
        var train = torch.tensor(new float[] { 1, -1, 1, 5 - 1e-6f, -1, 1, -1, 5 + 1e-6f }).reshape(2, 4);
        using var standardiser = FeatureStandardiser.Fit(train);
        var x = Row(standardiser.Apply(torch.tensor(new float[] { 0, 0, 0, 6 }).reshape(1, 4)), 0);
        Assert.InRange(x[3], 36.4, 36.6);
        Assert.Equal(1 / Math.Sqrt(1 + 7.5e-4), Row(standardiser.Apply(train), 1)[1], 5);
    }

    [Fact]
    public void AllDimensionsConstantGiveZerosNotNaN()
    {
        using var scope = torch.NewDisposeScope();
        using var standardiser = FeatureStandardiser.Fit(torch.full(10, 3, 2.5f));
        var x = standardiser.Apply(torch.tensor(new float[] { 1, 2, 3 }).reshape(1, 3));
        Assert.Equal(new float[] { 0, 0, 0 }, Row(x, 0));
    }

    [Fact]
    public void TheMapDoesNotDependOnTheFeaturesScale()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(5);
        var train = torch.randn(50, 6, generator: generator) * torch.tensor(new float[] { 1, 2, 0, 3, 1e-4f, 1 });
        var test = torch.randn(7, 6, generator: generator);
        using var a = FeatureStandardiser.Fit(train);
        using var b = FeatureStandardiser.Fit(train * 1000);
        Assert.True(a.Apply(test).allclose(b.Apply(test * 1000), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void AProbeIgnoresADimensionConstantOnTheTrainingSet()
    {
        using var scope = torch.NewDisposeScope();
        // Gaussian clusters (class k at 3·e_k) plus one extra dimension that is 0 on every training image.
        // Wild test values there (σ = 1000) must change nothing: the same accuracy as with 0 there too.
        using var g = new torch.Generator(3);
        var yTrain = torch.randint(0, 4, [1000], generator: g);
        var yTest = torch.randint(0, 4, [300], generator: g);
        var xTrain = torch.randn([1000, 8], generator: g) + 3 * torch.nn.functional.one_hot(yTrain, 8).to(torch.float32);
        var xTest = torch.randn([300, 8], generator: g) + 3 * torch.nn.functional.one_hot(yTest, 8).to(torch.float32);
        var trainWithDead = torch.cat([xTrain, torch.zeros(1000, 1)], 1);
        var settings = new ProbeSettings(Epochs: 50, Lr: 1e-2);
        double quiet = LinearProbe.TrainAndTest(trainWithDead, yTrain, torch.cat([xTest, torch.zeros(300, 1)], 1), yTest, 4, settings);
        double wild = LinearProbe.TrainAndTest(trainWithDead, yTrain, torch.cat([xTest, 1000 * torch.randn([300, 1], generator: g)], 1), yTest, 4, settings);
        Assert.InRange(quiet, 90, 100);
        Assert.Equal(quiet, wild);
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}
