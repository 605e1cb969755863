using SelfSup.Views;
using static TorchSharp.torch;
using Xunit;

namespace SelfSup.Tests.Views;

/// <summary>Flip, grayscale, solarize and blur.</summary>
public class PixelOpTests
{
    [Fact]
    public void Flip_mirrors_about_half_of_the_images()
    {
        // Every image is the row [0, 1]; a flipped one starts with 1.
        const int n = 4000;
        var x = tensor(new float[] { 0, 1 }).view(1, 1, 1, 2).expand(n, 1, 1, 2).contiguous();
        using var gen = new Generator(11, CPU);
        var y = new HorizontalFlip(0.5).Apply(x, gen);
        double flipped = y[.., 0, 0, 0].sum().item<float>() / n;
        Assert.InRange(flipped, 0.45, 0.55);
        Assert.True((y.sum(3) == 1).all().item<bool>());
    }

    [Fact]
    public void Flip_probability_one_mirrors_everything_and_zero_nothing()
    {
        var x = TestImages.Floats(3, 3, 5, 6);
        using var gen = new Generator(1, CPU);
        Assert.True(TestImages.MaxAbsDiff(new HorizontalFlip(1).Apply(x, gen), x.flip(3)) == 0);
        Assert.True(TestImages.MaxAbsDiff(new HorizontalFlip(0).Apply(x, gen), x) == 0);
    }

    [Fact]
    public void Grayscale_output_has_three_equal_channels_equal_to_the_luma()
    {
        var x = TestImages.Floats(4, 3, 6, 6);
        using var gen = new Generator(1, CPU);
        var y = new RandomGrayscale(1).Apply(x, gen);
        Assert.Equal(x.shape, y.shape);
        Assert.True(TestImages.MaxAbsDiff(y[.., 0], y[.., 1]) == 0 && TestImages.MaxAbsDiff(y[.., 0], y[.., 2]) == 0);
        var luma = 0.299f * x[.., 0] + 0.587f * x[.., 1] + 0.114f * x[.., 2];
        Assert.True(TestImages.MaxAbsDiff(y[.., 0], luma) < 1e-6f);
    }

    [Fact]
    public void Grayscale_leaves_one_channel_images_alone()
    {
        var x = TestImages.Floats(2, 1, 4, 4);
        using var gen = new Generator(1, CPU);
        Assert.True(TestImages.MaxAbsDiff(new RandomGrayscale(1).Apply(x, gen), x) == 0);
    }

    [Fact]
    public void Solarize_inverts_pixels_at_or_above_one_half()
    {
        var x = tensor(new float[] { 0f, 0.2f, 0.49f, 0.5f, 0.7f, 1f }).view(1, 1, 1, 6);
        using var gen = new Generator(1, CPU);
        var y = new Solarize(1).Apply(x, gen);
        var expected = new float[] { 0f, 0.2f, 0.49f, 0.5f, 0.3f, 0f };
        var got = y.data<float>().ToArray();
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], got[i], 6);
        Assert.True(TestImages.MaxAbsDiff(new Solarize(0).Apply(x, gen), x) == 0);
    }

    [Fact]
    public void Solarize_is_decided_per_image()
    {
        var x = full(new long[] { 400, 1, 2, 2 }, 0.8f);
        using var gen = new Generator(2, CPU);
        var y = new Solarize(0.5).Apply(x, gen);
        double solarized = (y[.., 0, 0, 0] < 0.5f).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(solarized, 0.35, 0.65);
    }

    [Theory]
    [InlineData(224, 23)]
    [InlineData(128, 13)]
    [InlineData(32, 5)]
    [InlineData(28, 3)]
    public void Blur_kernel_is_about_ten_percent_of_the_crop_and_odd(int crop, int expected) =>
        Assert.Equal(expected, GaussianBlur.KernelSizeFor(crop));

    [Fact]
    public void Blur_kernels_are_normalised_gaussians_with_their_own_sigma()
    {
        var k = GaussianBlur.Kernels(tensor(new double[] { 0.5, 2.0 }), 5);
        Assert.True(((k.sum(1) - 1).abs() < 1e-12).all().item<bool>());
        double e = Math.Exp(-1 / (2 * 0.25)), e2 = Math.Exp(-4 / (2 * 0.25));
        Assert.Equal(1 / (1 + 2 * e + 2 * e2), k[0, 2].item<double>(), 10);
        Assert.True(k[1, 0].item<double>() > k[0, 0].item<double>()); // wider sigma, heavier tails
    }

    [Fact]
    public void Blur_keeps_constant_images_and_smooths_noise()
    {
        using var gen = new Generator(1, CPU);
        var blur = new GaussianBlur(1, 1, 2, 5);
        var flat = full(new long[] { 2, 3, 16, 16 }, 0.3f);
        Assert.True(TestImages.MaxAbsDiff(blur.Apply(flat, gen), flat) < 1e-6f);
        var noise = TestImages.Floats(2, 3, 16, 16);
        var smooth = blur.Apply(noise, gen);
        Assert.True(smooth.std().item<float>() < 0.7f * noise.std().item<float>());
    }

    /// <summary>
    /// Each image blurred with its own σ, reflected borders, against values computed in plain Python from the
    /// formula (refs/make_extra_refs.py), not with SelfSup's convolution.
    /// </summary>
    [Fact]
    public void Blur_matches_independent_python_values_with_each_images_own_sigma()
    {
        var r = SelfSup.Tests.Losses.RefsLocator.Extra.GetProperty("blur");
        var shape = r.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        var sigmas = r.GetProperty("sigmas").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        int k = r.GetProperty("kernel_size").GetInt32();
        var expected = tensor(r.GetProperty("output").EnumerateArray().Select(v => v.GetDouble()).ToArray()).view(shape);
        var x = zeros(shape, dtype: ScalarType.Float64);
        for (long b = 0; b < shape[0]; b++)
            for (long c = 0; c < shape[1]; c++)
                for (long y = 0; y < shape[2]; y++)
                    for (long xx = 0; xx < shape[3]; xx++)
                        x[b, c, y, xx] = tensor(((7 * xx + 13 * y + 5 * c + 3 * b) % 17) / 16.0);
        var blurred = GaussianBlur.Blur(x, GaussianBlur.Kernels(tensor(sigmas), k));
        double maxDiff = (blurred - expected).abs().max().item<double>();
        Assert.True(maxDiff < 1e-12, $"blur differs from the Python reference by {maxDiff:E2}");
    }
}
