using SelfSup.Data;
using Xunit;

namespace SelfSup.Tests.Data;

public sealed class FractionSubsetTests
{
    [Fact]
    public void SameSeedSameSubsetDifferentSeedDifferentSubset()
    {
        var a = FractionSubset.Choose(1000, 0.25, seed: 3);
        var b = FractionSubset.Choose(1000, 0.25, seed: 3);
        var c = FractionSubset.Choose(1000, 0.25, seed: 4);
        Assert.Equal(250, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(a.Length, a.Distinct().Count());
        Assert.True(a.SequenceEqual(a.Order()));
        Assert.All(a, i => Assert.InRange(i, 0, 999));
    }

    [Fact]
    public void FullFractionKeepsEverything() => Assert.Equal(Enumerable.Range(0, 50), FractionSubset.Choose(50, 1.0, 0));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void OutOfRangeFractionIsRejected(double fraction) =>
        Assert.Contains("`fraction`", Assert.Throws<SelfSupError>(() => FractionSubset.Choose(10, fraction, 0)).Message);
}
