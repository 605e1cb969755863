using SelfSup.Views;
using Xunit;

namespace SelfSup.Tests.Views;

public class AugmentationPresetTests
{
    // Values copied from SPEC.md, section "Augmentations".
    [Theory]
    //           name            crop  scale  flip  b    c    s    h    gray  solarize channels
    [InlineData("cifar",         32,   0.08,  0.5,  0.4, 0.4, 0.4, 0.0, 0.2,  0.0,     3)]
    [InlineData("stl10",         64,   0.2,   0.5,  0.4, 0.4, 0.4, 0.0, 0.1,  0.0,     3)]
    [InlineData("imagenet100",   128,  0.08,  0.5,  0.4, 0.4, 0.4, 0.1, 0.2,  0.2,     3)]
    [InlineData("fashion-mnist", 28,   0.2,   0.5,  0.4, 0.4, 0.0, 0.0, 0.0,  0.0,     1)]
    public void Presets_match_the_spec_table(string name, int crop, double scaleMin, double flip, double b, double c,
        double s, double h, double gray, double solarize, int channels)
    {
        var p = AugmentationPreset.ForName(name);
        Assert.Equal(name, p.Name);
        Assert.Equal(crop, p.CropSize);
        Assert.Equal(scaleMin, p.ScaleMin);
        Assert.Equal(1.0, p.ScaleMax);
        Assert.Equal(3.0 / 4.0, p.RatioMin, 12);
        Assert.Equal(4.0 / 3.0, p.RatioMax, 12);
        Assert.Equal(flip, p.FlipProbability);
        Assert.Equal(0.8, p.JitterProbability);
        Assert.Equal(b, p.Brightness);
        Assert.Equal(c, p.Contrast);
        Assert.Equal(s, p.Saturation);
        Assert.Equal(h, p.Hue);
        Assert.Equal(gray, p.GrayscaleProbability);
        Assert.Equal(solarize, p.SolarizeProbability);
        Assert.Equal(0.0, p.BlurProbability); // blur is an option, off by default
        Assert.Equal(0.1, p.BlurSigmaMin);
        Assert.Equal(2.0, p.BlurSigmaMax);
        Assert.Equal(channels, p.Channels);
        Assert.Equal(channels, p.Std.Length);
        p.Validate();
    }

    [Fact]
    public void Fashion_mnist_normalisation_matches_the_spec()
    {
        var p = AugmentationPreset.FashionMnist;
        Assert.Equal(0.2860f, p.Mean[0]);
        Assert.Equal(0.3530f, p.Std[0]);
    }

    [Theory]
    [InlineData("cifar", "cifar")]
    [InlineData("cifar10", "cifar")]
    [InlineData("CIFAR100", "cifar")]
    [InlineData("stl10", "stl10")]
    [InlineData("imagenet100", "imagenet100")]
    [InlineData("imagefolder", "imagenet100")]
    [InlineData("fashion-mnist", "fashion-mnist")]
    public void ForName_maps_dataset_names_to_presets(string name, string expected) =>
        Assert.Equal(expected, AugmentationPreset.ForName(name).Name);

    [Fact]
    public void Every_listed_name_resolves()
    {
        foreach (var name in AugmentationPreset.Names) AugmentationPreset.ForName(name);
    }

    [Fact]
    public void Unknown_name_lists_the_valid_ones()
    {
        var e = Assert.Throws<SelfSupError>(() => AugmentationPreset.ForName("mnist"));
        Assert.Contains("mnist", e.Message);
        foreach (var name in AugmentationPreset.Names) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Validate_rejects_out_of_range_fields()
    {
        Assert.Throws<SelfSupError>(() => (AugmentationPreset.Cifar with { FlipProbability = 1.5 }).Validate());
        Assert.Throws<SelfSupError>(() => (AugmentationPreset.Cifar with { ScaleMin = 0 }).Validate());
        Assert.Throws<SelfSupError>(() => (AugmentationPreset.Cifar with { Std = [1f, 1f] }).Validate());
    }
}
