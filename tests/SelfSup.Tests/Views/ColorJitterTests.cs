using SelfSup.Views;
using static TorchSharp.torch;
using Xunit;

namespace SelfSup.Tests.Views;

public class ColorJitterTests
{
    [Fact]
    public void Rgb_hsv_round_trip_is_identity()
    {
        var x = TestImages.Floats(8, 3, 16, 16);
        // Include grays, black and saturated primaries.
        var special = tensor(new float[] { 0, 0, 0, 1, 1, 1, 0.5f, 0.5f, 0.5f, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0.2f, 0.2f, 0.9f },
            new long[] { 1, 8, 3 }).permute(0, 2, 1).reshape(1, 3, 1, 8);
        foreach (var img in new[] { x, special })
        {
            var back = ColorJitter.HsvToRgb(ColorJitter.RgbToHsv(img));
            Assert.True(TestImages.MaxAbsDiff(back, img) < 1e-5f);
            var shifted = ColorJitter.ShiftHue(img, zeros(img.shape[0]));
            Assert.True(TestImages.MaxAbsDiff(shifted, img) < 1e-5f);
        }
    }

    [Fact]
    public void Hsv_of_primaries()
    {
        var rgb = tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, new long[] { 3, 3 }).T.reshape(1, 3, 1, 3);
        var hsv = ColorJitter.RgbToHsv(rgb);
        var h = hsv[0, 0, 0].data<float>().ToArray();
        Assert.Equal(0f, h[0], 6);
        Assert.Equal(1f / 3, h[1], 6);
        Assert.Equal(2f / 3, h[2], 6);
        Assert.True(((hsv[0, 1] - 1).abs() < 1e-6).all().item<bool>());
        Assert.True(((hsv[0, 2] - 1).abs() < 1e-6).all().item<bool>());
    }

    [Fact]
    public void Hue_shift_of_a_third_turns_red_into_green()
    {
        var red = tensor(new float[] { 1, 0, 0 }).view(1, 3, 1, 1);
        var green = ColorJitter.ShiftHue(red, tensor(new float[] { 1f / 3 }));
        Assert.True(TestImages.MaxAbsDiff(green, tensor(new float[] { 0, 1, 0 }).view(1, 3, 1, 1)) < 1e-5f);
    }

    [Fact]
    public void Contrast_blends_towards_the_mean_luma()
    {
        var x = TestImages.Floats(2, 3, 8, 8);
        var y = ColorJitter.AdjustContrast(x, tensor(new float[] { 0f, 1f }));
        var mean = (0.299f * x[0, 0] + 0.587f * x[0, 1] + 0.114f * x[0, 2]).mean().item<float>();
        Assert.True(((y[0] - mean).abs() < 1e-6).all().item<bool>()); // factor 0: flat gray at the mean
        Assert.True(TestImages.MaxAbsDiff(y[1], x[1]) < 1e-6f); // factor 1: unchanged
    }

    [Fact]
    public void Saturation_zero_gives_the_luma()
    {
        var x = TestImages.Floats(1, 3, 8, 8);
        var y = ColorJitter.AdjustSaturation(x, tensor(new float[] { 0f }));
        var luma = 0.299f * x[0, 0] + 0.587f * x[0, 1] + 0.114f * x[0, 2];
        for (int c = 0; c < 3; c++) Assert.True(TestImages.MaxAbsDiff(y[0, c], luma) < 1e-6f);
    }

    [Fact]
    public void Jitter_stays_in_range_and_differs_per_image()
    {
        var one = TestImages.Floats(1, 3, 8, 8);
        var x = one.expand(64, 3, 8, 8).contiguous();
        using var gen = new Generator(4, CPU);
        var y = new ColorJitter(1, 0.4, 0.4, 0.4, 0.1).Apply(x, gen);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
        Assert.True(TestImages.MaxAbsDiff(y[0], y[1]) > 1e-3f);
        Assert.True(unique(y.reshape(64, -1), dim: 0).Item1.shape[0] == 64);
    }

    [Fact]
    public void One_channel_images_get_brightness_and_contrast_only()
    {
        var x = TestImages.Floats(16, 1, 8, 8);
        using var gen = new Generator(4, CPU);
        var y = new ColorJitter(1, 0.4, 0.4, 0.4, 0.1).Apply(x, gen);
        Assert.Equal(x.shape, y.shape);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
    }

    [Fact]
    public void Probability_zero_is_identity()
    {
        var x = TestImages.Floats(4, 3, 8, 8);
        using var gen = new Generator(4, CPU);
        Assert.True(TestImages.MaxAbsDiff(new ColorJitter(0, 0.4, 0.4, 0.4, 0.1).Apply(x, gen), x) == 0);
    }
}
