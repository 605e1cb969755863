using SelfSup.Views;
using static TorchSharp.torch;
using Xunit;

namespace SelfSup.Tests.Views;

public class RandomResizedCropTests
{
    [Fact]
    public void Full_scale_unit_ratio_crop_of_an_S_image_is_the_image()
    {
        var x = TestImages.Floats(4, 3, 32, 32);
        using var gen = new Generator(1, CPU);
        var y = new RandomResizedCrop(32, 1, 1, 1, 1).Apply(x, gen);
        Assert.Equal(x.shape, y.shape);
        Assert.True(TestImages.MaxAbsDiff(x, y) < 1e-5f);
    }

    [Fact]
    public void Input_size_may_differ_from_the_crop_size()
    {
        var x = TestImages.Floats(5, 3, 40, 48);
        using var gen = new Generator(1, CPU);
        var y = new RandomResizedCrop(32, 0.08, 1).Apply(x, gen);
        Assert.Equal(new long[] { 5, 3, 32, 32 }, y.shape);
        Assert.True(y.min().item<float>() >= 0 && y.max().item<float>() <= 1);
    }

    [Fact]
    public void Impossible_boxes_fall_back_to_the_centre_crop()
    {
        // scale 1 with ratio 1 asks for a 44×44 box in a 40×48 image: never valid, so the fallback is the
        // centred 40×40 square (width/height = 1.2 > RatioMax = 1).
        using var gen = new Generator(1, CPU);
        var boxes = new RandomResizedCrop(32, 1, 1, 1, 1).SampleBoxes(3, 40, 48, gen);
        for (int i = 0; i < 3; i++)
            Assert.Equal(new double[] { 0, 4, 40, 40 }, boxes[i].data<double>().ToArray());
    }

    [Fact]
    public void Boxes_lie_inside_the_image_and_respect_scale_and_ratio()
    {
        using var gen = new Generator(3, CPU);
        var boxes = new RandomResizedCrop(32, 0.08, 1).SampleBoxes(4000, 32, 32, gen);
        var top = boxes[.., 0]; var left = boxes[.., 1]; var h = boxes[.., 2]; var w = boxes[.., 3];
        Assert.True((top >= 0).all().item<bool>() && (left >= 0).all().item<bool>());
        Assert.True((top + h <= 32).all().item<bool>() && (left + w <= 32).all().item<bool>());
        Assert.True((h >= 1).all().item<bool>() && (w >= 1).all().item<bool>());
        // Rounding to whole pixels blurs the bounds a little on a 32-pixel image.
        var area = (h * w) / 1024.0;
        Assert.True(area.min().item<double>() > 0.04 && area.max().item<double>() <= 1.0);
        var ratio = w / h;
        Assert.True(ratio.min().item<double>() > 0.5 && ratio.max().item<double>() < 2.0);
        // Many distinct boxes: the draws are per sample.
        Assert.True(unique(boxes, dim: 0).Item1.shape[0] > 1000);
    }

    [Fact]
    public void Two_copies_of_one_image_get_different_crops()
    {
        var one = TestImages.Floats(1, 3, 32, 32);
        var x = cat(new[] { one, one }, 0);
        using var gen = new Generator(5, CPU);
        var y = new RandomResizedCrop(32, 0.08, 1).Apply(x, gen);
        Assert.True(TestImages.MaxAbsDiff(y[0], y[1]) > 1e-3f);
    }

    [Fact]
    public void Resample_of_a_box_matches_plain_cropping_when_no_resize_is_needed()
    {
        var x = TestImages.Floats(2, 1, 20, 20);
        var boxes = tensor(new double[] { 3, 5, 8, 8, 10, 0, 8, 8 }, new long[] { 2, 4 });
        var y = RandomResizedCrop.Resample(x, boxes, 8);
        Assert.True(TestImages.MaxAbsDiff(y[0], x[0].narrow(1, 3, 8).narrow(2, 5, 8)) < 1e-5f);
        Assert.True(TestImages.MaxAbsDiff(y[1], x[1].narrow(1, 10, 8).narrow(2, 0, 8)) < 1e-5f);
    }
}
