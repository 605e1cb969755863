using SelfSup.Views;
using static TorchSharp.torch;
using Xunit;

namespace SelfSup.Tests.Views;

public class ViewSamplerTests
{
    private static Tensor Sample(AugmentationPreset preset, Tensor images, int views, ulong seed)
    {
        using var gen = new Generator(seed, CPU);
        return new ViewSampler(preset, views).Sample(images, gen);
    }

    [Theory]
    [InlineData("fashion-mnist", 1, 28, 28, 2)]
    [InlineData("cifar", 3, 32, 32, 4)]
    [InlineData("stl10", 3, 96, 96, 3)]
    [InlineData("imagenet100", 3, 60, 80, 2)]
    public void Output_is_N_by_M_by_C_by_S_by_S_float_finite_and_in_range(string name, int c, int h, int w, int m)
    {
        var preset = AugmentationPreset.ForName(name) with { BlurProbability = 0.5 };
        var images = TestImages.Bytes(3, c, h, w);
        var views = Sample(preset, images, m, 1);
        Assert.Equal(new long[] { 3, m, c, preset.CropSize, preset.CropSize }, views.shape);
        Assert.Equal(ScalarType.Float32, views.dtype);
        Assert.True(views.isfinite().all().item<bool>());
        var raw = ViewSampler.Unnormalise(views, preset);
        Assert.True(raw.min().item<float>() >= -1e-5f && raw.max().item<float>() <= 1 + 1e-5f);
    }

    [Fact]
    public void Same_seed_gives_identical_views_and_another_seed_different_ones()
    {
        var images = TestImages.Bytes(8, 3, 32, 32);
        var a = Sample(AugmentationPreset.Cifar, images, 2, 42);
        var b = Sample(AugmentationPreset.Cifar, images, 2, 42);
        var c = Sample(AugmentationPreset.Cifar, images, 2, 43);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.True(TestImages.MaxAbsDiff(a, c) > 1e-2f);
    }

    [Fact]
    public void Views_of_one_image_differ_and_copies_of_one_image_differ()
    {
        var one = TestImages.Bytes(1, 3, 32, 32);
        var images = cat(new[] { one, one }, 0);
        var views = Sample(AugmentationPreset.Cifar, images, 3, 9);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = j + 1; k < 3; k++)
                    Assert.True(TestImages.MaxAbsDiff(views[i, j], views[i, k]) > 1e-3f);
        Assert.True(TestImages.MaxAbsDiff(views[0], views[1]) > 1e-3f);
    }

    [Fact]
    public void Fewer_than_two_views_is_an_error()
    {
        var e = Assert.Throws<SelfSupError>(() => new ViewSampler(AugmentationPreset.Cifar, 1));
        Assert.Contains("needs at least 2 views per image", e.Message);
    }

    [Fact]
    public void Wrong_channel_count_or_dtype_is_an_error()
    {
        using var gen = new Generator(1, CPU);
        var sampler = new ViewSampler(AugmentationPreset.Cifar, 2);
        Assert.Throws<SelfSupError>(() => sampler.Sample(TestImages.Bytes(2, 1, 28, 28), gen));
        Assert.Throws<SelfSupError>(() => sampler.Sample(TestImages.Floats(2, 3, 32, 32), gen));
    }

    [Fact]
    public void Clean_normalises_without_augmenting()
    {
        var preset = AugmentationPreset.Cifar;
        var images = TestImages.Bytes(4, 3, 32, 32);
        var clean = new ViewSampler(preset, 2).Clean(images);
        Assert.Equal(images.shape, clean.shape);
        var expected = images.to_type(ScalarType.Float32) / 255f;
        Assert.True(TestImages.MaxAbsDiff(ViewSampler.Unnormalise(clean, preset), expected) < 1e-5f);
    }

    [Fact]
    public void Clean_resizes_and_centre_crops_to_the_view_size()
    {
        var preset = AugmentationPreset.Stl10;
        var clean = new ViewSampler(preset, 2).Clean(TestImages.Bytes(2, 3, 96, 128));
        Assert.Equal(new long[] { 2, 3, 64, 64 }, clean.shape);
        var raw = ViewSampler.Unnormalise(clean, preset);
        Assert.True(raw.min().item<float>() >= -1e-5f && raw.max().item<float>() <= 1 + 1e-5f);
    }

    [Fact]
    public void Normalise_and_unnormalise_are_inverse()
    {
        var x = TestImages.Floats(2, 3, 4, 4);
        var back = ViewSampler.Unnormalise(ViewSampler.Normalise(x, AugmentationPreset.Cifar), AugmentationPreset.Cifar);
        Assert.True(TestImages.MaxAbsDiff(back, x) < 1e-6f);
    }
}
