using SelfSup.Views;
using SkiaSharp;
using static TorchSharp.torch;
using Xunit;

namespace SelfSup.Tests.Views;

public sealed class ViewGridTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("viewgrid-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Grid_has_one_row_per_image_and_one_column_per_view_plus_original()
    {
        var preset = AugmentationPreset.FashionMnist;
        var images = TestImages.Bytes(3, 1, 28, 28);
        using var gen = new Generator(1, CPU);
        var views = new ViewSampler(preset, 2).Sample(images, gen);
        string path = Path.Combine(_dir, "views.png");
        ViewGrid.WritePng(images, views, preset, path, scale: 3);

        using var bitmap = SKBitmap.Decode(path);
        // 2 + (3·28 + 2) + 2·(3·28 + 2) wide, 2 + 3·(3·28 + 2) high.
        Assert.Equal(260, bitmap.Width);
        Assert.Equal(260, bitmap.Height);
        var pixel = bitmap.GetPixel(2 + 5, 2 + 5); // inside the first original: drawn gray
        Assert.Equal(pixel.Red, pixel.Green);
        Assert.Equal(pixel.Red, pixel.Blue);
        byte expected = images[0, 0, 1, 1].item<byte>(); // scale 3: canvas pixel 5 is image pixel 1
        Assert.Equal(expected, pixel.Red);
    }

    [Fact]
    public void Originals_larger_than_the_views_set_the_row_height()
    {
        var preset = AugmentationPreset.Stl10;
        var images = TestImages.Bytes(2, 3, 96, 96);
        using var gen = new Generator(1, CPU);
        var views = new ViewSampler(preset, 2).Sample(images, gen);
        string path = Path.Combine(_dir, "stl.png");
        ViewGrid.WritePng(images, views, preset, path, scale: 1);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(2 + (96 + 2) + 2 * (64 + 2), bitmap.Width);
        Assert.Equal(2 + 2 * (96 + 2), bitmap.Height);
        Assert.Equal((bitmap.Width, bitmap.Height), ViewGrid.GridSize(2, 2, 96, 96, 64, 1));
    }

    [Fact]
    public void Missing_directory_is_an_error()
    {
        var preset = AugmentationPreset.Cifar;
        var images = TestImages.Bytes(1, 3, 32, 32);
        var views = zeros(new long[] { 1, 2, 3, 32, 32 });
        Assert.Throws<SelfSupError>(() =>
            ViewGrid.WritePng(images, views, preset, Path.Combine(_dir, "no", "such", "dir", "v.png")));
        Assert.Throws<SelfSupError>(() => ViewGrid.WritePng(images, views, preset, ""));
    }
}
