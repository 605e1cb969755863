using SelfSup.Data;
using Xunit;

namespace SelfSup.Tests.Data;

/// <summary>The one "pick N images, seeded" rule: deterministic in the seed, sorted, distinct, uniform.</summary>
public sealed class SeededSampleTests
{
    [Fact]
    public void TheSampleIsADeterministicFunctionOfTheSeed()
    {
        var a = SeededSample.Choose(1000, 40, seed: 7);
        Assert.Equal(a, SeededSample.Choose(1000, 40, seed: 7));
        Assert.NotEqual(a, SeededSample.Choose(1000, 40, seed: 8));
        Assert.Equal(40, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.All(a, i => Assert.InRange(i, 0, 999));
        // the evaluation sample salts the run seed, so it is not the pretraining fraction's draw
        Assert.Equal(SeededSample.Choose(1000, 40, 7 ^ 0x5EED), SeededSample.ForEvaluation(1000, 40, runSeed: 7));
        Assert.NotEqual(a, SeededSample.ForEvaluation(1000, 40, runSeed: 7));
    }

    [Fact]
    public void AskingForAtLeastEveryImageGivesEveryImage()
    {
        Assert.Equal(Enumerable.Range(0, 5), SeededSample.Choose(5, 5, 1));
        Assert.Equal(Enumerable.Range(0, 5), SeededSample.Choose(5, 9, 1));
        Assert.Equal(Enumerable.Range(0, 5), SeededSample.ForEvaluation(5, 0, 1));   // 0 = all, as --eval-images 0
        Assert.Empty(SeededSample.Choose(5, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeededSample.Choose(5, -1, 1));
    }

    [Fact]
    public void EveryIndexIsEquallyLikely()
    {
        // 4000 seeds × 3 of 10: each index is picked with probability 0.3 → 1200 times, binomial sd ≈ 29
        var counts = new int[10];
        for (int seed = 0; seed < 4000; seed++)
            foreach (int i in SeededSample.Choose(10, 3, seed)) counts[i]++;
        Assert.All(counts, c => Assert.InRange(c, 1200 - 150, 1200 + 150));
    }
}
