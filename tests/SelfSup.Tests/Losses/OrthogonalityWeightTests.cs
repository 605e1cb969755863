using SelfSup.Losses;
using Xunit;

namespace SelfSup.Tests.Losses;

public sealed class OrthogonalityWeightTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(512)]
    [InlineData(8192)]
    public void AutoBetaIsCOverD(int d)
    {
        Assert.Equal(4.0 / d, OrthogonalityWeight.ForProjector(d));
        Assert.Equal(2.5 / d, OrthogonalityWeight.ForProjector(d, 2.5));
        Assert.Equal(4.0 / d, BetaSetting.Parse("auto", 4.0).Resolve(d));
        Assert.Equal(6.0 / d, BetaSetting.Parse(" AUTO ", 6.0).Resolve(d));
        Assert.Equal(4.0 / d, BetaSetting.Auto().Resolve(d));
    }

    [Fact]
    public void SmallerProjectorsGetLargerBeta()
    {
        var auto = BetaSetting.Auto();
        Assert.True(auto.Resolve(64) > auto.Resolve(512));
        Assert.Equal(8.0, auto.Resolve(64) / auto.Resolve(512), 12);
    }

    [Theory]
    [InlineData("0.005", 0.005)]
    [InlineData("1e-3", 0.001)]
    [InlineData("0.0004", 0.0004)]
    public void FixedBetaIgnoresTheProjectorSize(string text, double beta)
    {
        var setting = BetaSetting.Parse(text, 4.0);
        Assert.False(setting.IsAuto);
        Assert.Equal(beta, setting.Resolve(64));
        Assert.Equal(beta, setting.Resolve(8192));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-0.1")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void BadBetaTextNamesTheValueAndTheFix(string text)
    {
        var e = Assert.Throws<SelfSupError>(() => BetaSetting.Parse(text, 4.0));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains("'auto'", e.Message);
        Assert.Contains("positive number", e.Message);
    }

    [Fact]
    public void BadProjectorDimensionOrConstantIsRejected()
    {
        Assert.Throws<SelfSupError>(() => OrthogonalityWeight.ForProjector(0));
        Assert.Throws<SelfSupError>(() => OrthogonalityWeight.ForProjector(64, -1));
        Assert.Throws<SelfSupError>(() => BetaSetting.Parse("auto", 0));
    }
}
