using SelfSup.Views;
using static TorchSharp.torch;
using Xunit;

namespace SelfSup.Tests.Views;

/// <summary>Views as a pure function of (seed, epoch, image, view).</summary>
public class ViewKeysTests
{
    [Fact]
    public void SplitMix64_matches_the_published_stream()
    {
        // the first two outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c; also Java's SplittableRandom(0))
        Assert.Equal(0xE220A8397B1DCDAFUL, SplitMix64.At(0, 0));
        Assert.Equal(0x6E789E6AA1B965F4UL, SplitMix64.At(0, 1));
    }

    [Fact]
    public void Draws_are_uniform_and_distinct_per_key()
    {
        var keys = Enumerable.Range(0, 2000).Select(i => ViewKeys.Of(0, 0, i, 0)).ToArray();
        var u = ViewDraws.For(keys, ViewPipeline.For(AugmentationPreset.Cifar).DrawsPerView);
        Assert.Equal(new long[] { 2000, 32 }, u.shape);  // crop 22, flip 1, jitter 5, grayscale 1, blur 2, solarize 1
        Assert.InRange(u.mean().item<double>(), 0.49, 0.51);
        Assert.True(u.min().item<double>() >= 0 && u.max().item<double>() < 1);
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void A_views_pixels_do_not_depend_on_the_batch_it_is_drawn_in()
    {
        var sampler = new ViewSampler(AugmentationPreset.Cifar with { BlurProbability = 0.5 }, 3);
        var images = TestImages.Bytes(4, 3, 32, 32);
        int[] indices = [10, 11, 12, 13];
        var together = sampler.Sample(images, ViewKeys.For(7, 2, indices, 3));
        for (int n = 0; n < 4; n++)
        {
            var alone = sampler.Sample(images.narrow(0, n, 1), ViewKeys.For(7, 2, indices.AsSpan(n, 1), 3));
            Assert.True(alone[0].eq(together[n]).all().item<bool>(), $"image {indices[n]} differs when drawn alone");
        }
        // another epoch, seed or image index gives other views
        var otherEpoch = sampler.Sample(images, ViewKeys.For(7, 3, indices, 3));
        var otherSeed = sampler.Sample(images, ViewKeys.For(8, 2, indices, 3));
        Assert.True(TestImages.MaxAbsDiff(together, otherEpoch) > 1e-2f);
        Assert.True(TestImages.MaxAbsDiff(together, otherSeed) > 1e-2f);
    }

    [Fact]
    public void A_wrong_number_of_keys_is_an_error()
    {
        var sampler = new ViewSampler(AugmentationPreset.Cifar, 2);
        var e = Assert.Throws<SelfSupError>(() => sampler.Sample(TestImages.Bytes(2, 3, 32, 32), new ulong[3]));
        Assert.Contains("view keys", e.Message);
    }
}
