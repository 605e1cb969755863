using SelfSup.Data;
using SkiaSharp;
using Xunit;

namespace SelfSup.Tests.Data;

/// <summary>ImageFolder trees and unlabeled folders: decoding, the class list, the cache, and every broken-input case.</summary>
public sealed class ImageFolderDatasetTests
{
    private static readonly string[] Classes = ["cat", "dog", "fish"];

    private static float[] MeanColour(ImageDataset data, int index)
    {
        using var image = data.Images[index].to_type(TorchSharp.torch.ScalarType.Float32);
        return [.. Enumerable.Range(0, 3).Select(c => image[c].mean().item<float>())];
    }

    [Fact]
    public void TrainAndValAreDecodedToSquaresOfTheCacheSideWithSortedClasses()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.Path, ["dog", "cat"], trainPerClass: 4, valPerClass: 2);
        using var train = DatasetCatalog.Open("imagefolder", dir.Path, "train", new DataOptions(CacheSide: 32));
        using var val = DatasetCatalog.Open("imagefolder", dir.Path, DatasetCatalog.TestSplit("imagefolder"), new DataOptions(CacheSide: 32));
        Assert.Equal([8L, 3, 32, 32], train.Images.shape);
        Assert.Equal(4, val.Count);
        Assert.Equal(["cat", "dog"], train.ClassNames);
        Assert.Equal(2, train.ClassCount);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], train.Labels);
        Assert.Equal([0, 0, 1, 1], val.Labels);
        // "cat" (label 0) was written with ClassColors[1] (folder order dog, cat), JPEG and PNG alike
        for (int i = 0; i < 8; i++)
        {
            var expected = SyntheticDatasets.ClassColors[train.Labels[i] == 0 ? 1 : 0];
            var mean = MeanColour(train, i);
            Assert.True(Math.Abs(mean[0] - expected.Red) < 8 && Math.Abs(mean[1] - expected.Green) < 8 && Math.Abs(mean[2] - expected.Blue) < 8,
                $"image {i}: mean colour {string.Join(",", mean)} vs {expected}");
        }
    }

    [Fact]
    public void TheShortSideIsResizedThenTheCentreIsCropped()
    {
        using var dir = new TempDir();
        // 120×40: blue left third, red middle third, green right third → the 40×40 centre (after resizing to short side 20) is red
        using var bitmap = new SKBitmap(120, 40);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 120; x++)
                bitmap.SetPixel(x, y, x < 40 ? SKColors.Blue : x < 80 ? SKColors.Red : SKColors.Lime);
        Directory.CreateDirectory(dir.File("wide"));
        using (var image = SKImage.FromBitmap(bitmap))
        using (var png = image.Encode(SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(dir.File("wide/a.png"), png.ToArray());
        using var data = DatasetCatalog.Open("folder", dir.File("wide"), "train", new DataOptions(CacheSide: 20));
        Assert.Equal([1L, 3, 20, 20], data.Images.shape);
        var mean = MeanColour(data, 0);
        Assert.True(mean[0] > 240 && mean[1] < 15 && mean[2] < 15, $"centre should be red, got {string.Join(",", mean)}");
    }

    [Fact]
    public void AClassListPicksASubsetAndNamesAMissingFolder()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.File("in"), Classes, trainPerClass: 2, valPerClass: 1);
        File.WriteAllText(dir.File("two.txt"), "# two of the three\nfish\n\ncat\n");
        using var train = DatasetCatalog.Open("imagefolder", dir.File("in"), "train", new DataOptions(ClassList: dir.File("two.txt"), CacheSide: 16));
        Assert.Equal(["cat", "fish"], train.ClassNames);
        Assert.Equal([0, 0, 1, 1], train.Labels);

        File.WriteAllText(dir.File("bad.txt"), "cat\nzebra\n");
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("imagefolder", dir.File("in"), "train", new DataOptions(ClassList: dir.File("bad.txt"))));
        Assert.Contains("zebra", e.Message);
        Assert.Contains(dir.File("in/train/zebra"), e.Message);

        Directory.Delete(dir.File("in/val/fish"), recursive: true);
        e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("imagefolder", dir.File("in"), "val", new DataOptions(ClassList: dir.File("two.txt"))));
        Assert.Contains(dir.File("in/val/fish"), e.Message);
    }

    [Fact]
    public void EmptyClassFolderIsNamed()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.Path, ["a", "b"], trainPerClass: 2, valPerClass: 1);
        Directory.CreateDirectory(dir.File("train/c"));
        File.WriteAllText(dir.File("train/c/notes.txt"), "no images here");
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("imagefolder", dir.Path, "train"));
        Assert.Contains(dir.File("train/c"), e.Message);
        Assert.Contains("no images", e.Message);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public void UndecodableOrZeroByteImageIsNamed(string kind)
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.Path, ["a", "b"], trainPerClass: 3, valPerClass: 1);
        string bad = dir.File("train/b/img000.jpg");
        var good = File.ReadAllBytes(bad);
        File.WriteAllBytes(bad, kind switch
        {
            "empty" => [],
            "garbage" => "definitely not a JPEG"u8.ToArray(),
            _ => good[..(good.Length * 2 / 3)],
        });
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("imagefolder", dir.Path, "train", new DataOptions(CacheSide: 16)));
        Assert.Contains(bad, e.Message);
        Assert.True(e.Message.Contains(kind == "empty" ? "empty (0 bytes)" : "cannot be decoded"), e.Message);
        Assert.Empty(Directory.GetFiles(dir.File(".selfsup-cache"), "*.cache"));
    }

    [Fact]
    public void LaterOpensReadTheCacheWithoutDecoding()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.Path, ["a", "b"], trainPerClass: 3, valPerClass: 1);
        float before;
        using (var first = DatasetCatalog.Open("imagefolder", dir.Path, "train", new DataOptions(CacheSide: 24))) before = MeanColour(first, 4)[0];

        // overwrite an image with garbage of the same size and keep its time: the key is unchanged, so nothing is decoded
        string path = dir.File("train/b/img001.png");
        var time = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, new byte[new FileInfo(path).Length]);
        File.SetLastWriteTimeUtc(path, time);
        using (var cached = DatasetCatalog.Open("imagefolder", dir.Path, "train", new DataOptions(CacheSide: 24)))
            Assert.Equal(before, MeanColour(cached, 4)[0]);

        // a different cache side is a different cache: it decodes, and finds the broken file
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("imagefolder", dir.Path, "train", new DataOptions(CacheSide: 20)));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void FolderIsUnlabeledRecursiveAndSkipsTheCache()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("photos/2024/trip"));
        File.WriteAllBytes(dir.File("photos/a.jpg"), SyntheticDatasets.EncodedImage(40, 30, SKColors.Orange));
        File.WriteAllBytes(dir.File("photos/2024/b.PNG"), SyntheticDatasets.EncodedImage(30, 50, SKColors.Teal, png: true));
        File.WriteAllBytes(dir.File("photos/2024/trip/c.jpeg"), SyntheticDatasets.EncodedImage(64, 64, SKColors.Gray));
        File.WriteAllText(dir.File("photos/readme.txt"), "not an image");
        using (var data = DatasetCatalog.Open("folder", dir.File("photos"), DatasetCatalog.PretrainSplit("folder"), new DataOptions(CacheSide: 16)))
        {
            Assert.Equal(3, data.Count);
            Assert.All(data.Labels, l => Assert.Equal(-1, l));
            Assert.Equal(0, data.ClassCount);
        }
        using var again = DatasetCatalog.Open("folder", dir.File("photos"), "train", new DataOptions(CacheSide: 16));
        Assert.Equal(3, again.Count);                                                    // .selfsup-cache/ is not read as images
        Assert.False(DatasetCatalog.HasLabels("folder"));
        Assert.Contains("`no_probe`", Assert.Throws<SelfSupError>(() => DatasetCatalog.RequireLabels("folder", "the linear probe")).Message);
    }

    [Fact]
    public void EmptyFolderAndMissingSplitAreNamed()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("nothing"));
        Assert.Contains(dir.File("nothing"), Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("folder", dir.File("nothing"), "train")).Message);
        Directory.CreateDirectory(dir.File("tree/train/a"));
        Assert.Contains(dir.File("tree/val"), Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("imagefolder", dir.File("tree"), "val")).Message);
    }
}
