using SelfSup.Data;
using Xunit;

namespace SelfSup.Tests.Data;

public sealed class FashionMnistDatasetTests
{
    [Fact]
    public void LoadsIdxGzipAsUint8ImagesWithLabels()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.Path, trainCount: 30, testCount: 12);
        using var train = FashionMnistDataset.Load(dir.Path, "train");
        using var test = FashionMnistDataset.Load(dir.Path, "test");
        Assert.Equal(30, train.Count);
        Assert.Equal(12, test.Count);
        Assert.Equal([30L, 1, 28, 28], train.Images.shape);
        Assert.Equal(TorchSharp.torch.ScalarType.Byte, train.Images.dtype);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i % 10), train.Labels);
        using var batch = train.Gather([3, 0]);
        Assert.Equal([2L, 1, 28, 28], batch.shape);
        Assert.Equal(train.Images[3].sum().item<long>(), batch[0].sum().item<long>());
    }

    [Fact]
    public void RealDebianCopyLoadsWhenInstalled()
    {
        // make setup installs dataset-fashion-mnist; this test checks the default path works end to end.
        Assert.True(Directory.Exists(FashionMnistDataset.DefaultDirectory), $"{FashionMnistDataset.DefaultDirectory} missing: run make setup");
        using var test = FashionMnistDataset.Load(FashionMnistDataset.DefaultDirectory, "test");
        Assert.Equal(10_000, test.Count);
        Assert.Equal(1000, test.Labels.Count(l => l == 9));
    }

    [Fact]
    public void MissingDirectoryNamesItAndTheFix()
    {
        var e = Assert.Throws<SelfSupError>(() => FashionMnistDataset.Load("/nonexistent/fmnist", "train"));
        Assert.Contains("/nonexistent/fmnist", e.Message);
        Assert.Contains("`data_dir`", e.Message);
    }

    [Fact]
    public void CorruptGzipIsAClearError()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.Path);
        var path = dir.File("train-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.Take(bytes.Length / 2).Concat(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }).ToArray());
        var e = Assert.Throws<SelfSupError>(() => FashionMnistDataset.Load(dir.Path, "train"));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void TruncatedDataAndWrongMagicAreClearErrors()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.Path, trainCount: 20);
        var images = dir.File("train-images-idx3-ubyte.gz");
        SyntheticFashionMnist.WriteIdx(images, new byte[20 * 28 * 28 - 5], [20, 28, 28]);
        Assert.Contains("truncated", Assert.Throws<SelfSupError>(() => FashionMnistDataset.Load(dir.Path, "train")).Message);

        File.WriteAllBytes(images, "not an idx file at all"u8.ToArray());
        Assert.Contains("magic", Assert.Throws<SelfSupError>(() => FashionMnistDataset.Load(dir.Path, "train")).Message);
    }

    [Fact]
    public void LabelCountMismatchIsAClearError()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.Path, trainCount: 20);
        SyntheticFashionMnist.WriteIdx(dir.File("train-labels-idx1-ubyte.gz"), new byte[19], [19]);
        Assert.Contains("19 labels", Assert.Throws<SelfSupError>(() => FashionMnistDataset.Load(dir.Path, "train")).Message);
    }
}
