using SelfSup.Data;
using TorchSharp;
using Xunit;

namespace SelfSup.Tests.Data;

/// <summary>CIFAR-10/100 and STL-10 binary versions, extracted and packed, through the image cache.</summary>
public sealed class BinaryDatasetTests
{
    private static void AssertPixels(ImageDataset data, int index, int imageId, bool sampleOnly = true)
    {
        var image = data.Images[index].contiguous().data<byte>().ToArray();
        int h = data.Height, w = data.Width;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y += sampleOnly ? 7 : 1)
                for (int x = 0; x < w; x += sampleOnly ? 5 : 1)
                    Assert.True(SyntheticDatasets.Pixel(imageId, c, y, x) == image[(c * h + y) * w + x], $"image {index} pixel ({c},{y},{x})");
    }

    [Fact]
    public void Cifar10ExtractedAndPackedGiveTheSameImagesAndLabels()
    {
        using var dir = new TempDir();
        var members = SyntheticDatasets.Cifar10(perBatch: 4, test: 6);
        SyntheticDatasets.WriteFolder(dir.File("extracted/cifar-10-batches-bin"), members);
        SyntheticDatasets.WriteTarGz(dir.File("packed/cifar-10-binary.tar.gz"), "cifar-10-batches-bin", members);

        foreach (var root in new[] { dir.File("extracted"), dir.File("extracted/cifar-10-batches-bin"), dir.File("packed"), dir.File("packed/cifar-10-binary.tar.gz") })
        {
            using var train = DatasetCatalog.Open("cifar10", root, "train");
            using var test = DatasetCatalog.Open("cifar10", root, "test");
            Assert.Equal([20L, 3, 32, 32], train.Images.shape);
            Assert.Equal(torch.ScalarType.Byte, train.Images.dtype);
            Assert.Equal(6, test.Count);
            Assert.Equal(10, train.ClassCount);
            Assert.Equal(Enumerable.Range(0, 20).Select(k => k % 10), train.Labels);   // batches in order 1..5 even though the tar lists them backwards
            Assert.Equal("automobile", train.ClassNames[1]);
            AssertPixels(train, 0, 0, sampleOnly: false);
            AssertPixels(train, 13, 13);
            AssertPixels(test, 5, 1005);
        }
    }

    [Fact]
    public void Cifar100HasFineLabelsByDefaultAndCoarseOnRequest()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteTarGz(dir.File("cifar-100-binary.tar.gz"), "cifar-100-binary", SyntheticDatasets.Cifar100(train: 30, test: 10));
        using var fine = DatasetCatalog.Open("cifar100", dir.Path, "train");
        using var coarse = DatasetCatalog.Open("cifar100", dir.Path, "train", new DataOptions(Label: "coarse"));
        Assert.Equal(100, fine.ClassCount);
        Assert.Equal(20, coarse.ClassCount);
        Assert.Equal(Enumerable.Range(0, 30).Select(k => k % 100), fine.Labels);
        Assert.Equal(Enumerable.Range(0, 30).Select(k => k % 20), coarse.Labels);
        Assert.Equal("fine7", fine.ClassNames[7]);
        Assert.Equal("super3", coarse.ClassNames[3]);
        AssertPixels(coarse, 29, 29);
        Assert.Contains("`label`", Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar10", dir.Path, "train", new DataOptions(Label: "coarse"))).Message);
    }

    [Fact]
    public void TheCacheIsWrittenOnceThenMappedAndRebuiltWhenTheSourceChanges()
    {
        using var dir = new TempDir();
        var members = SyntheticDatasets.Cifar10(perBatch: 2, test: 3);
        SyntheticDatasets.WriteFolder(dir.Path, members);
        using (var first = DatasetCatalog.Open("cifar10", dir.Path, "test")) Assert.Equal(3, first.Count);
        var caches = Directory.GetFiles(dir.File(".selfsup-cache"), "cifar10-test-*.cache");
        Assert.Single(caches);
        var written = File.GetLastWriteTimeUtc(caches[0]);
        using (var again = DatasetCatalog.Open("cifar10", dir.Path, "test")) Assert.Equal(3, again.Count);
        Assert.Equal(written, File.GetLastWriteTimeUtc(caches[0]));                      // reused, not rewritten

        var record = new byte[3073];
        record[0] = 9;
        File.WriteAllBytes(dir.File("test_batch.bin"), record);                          // the source changed: one image, label 9
        using var rebuilt = DatasetCatalog.Open("cifar10", dir.Path, "test");
        Assert.Equal([9], rebuilt.Labels);
        Assert.Single(Directory.GetFiles(dir.File(".selfsup-cache"), "cifar10-test-*.cache"));   // the stale cache is gone
    }

    [Fact]
    public void ADamagedCacheFileIsRebuilt()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteFolder(dir.Path, SyntheticDatasets.Cifar10(perBatch: 2, test: 3));
        DatasetCatalog.Open("cifar10", dir.Path, "test").Dispose();
        var cache = Directory.GetFiles(dir.File(".selfsup-cache"), "*.cache").Single();
        var bytes = File.ReadAllBytes(cache);
        File.WriteAllBytes(cache, bytes[..(bytes.Length - 10)]);
        using var data = DatasetCatalog.Open("cifar10", dir.Path, "test");
        AssertPixels(data, 2, 1002);
    }

    [Fact]
    public void TruncatedRecordFileIsNamedWithTheProblem()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteFolder(dir.Path, SyntheticDatasets.Cifar10(perBatch: 3, test: 3));
        var path = dir.File("data_batch_2.bin");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar10", dir.Path, "train"));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Empty(Directory.GetFiles(dir.File(".selfsup-cache")));                      // no half-written cache left behind
    }

    [Fact]
    public void WrongArchiveIsNamed()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteTarGz(dir.File("cifar-10-binary.tar.gz"), "cifar-100-binary", SyntheticDatasets.Cifar100(train: 4, test: 2));
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar10", dir.Path, "train"));
        Assert.Contains(dir.File("cifar-10-binary.tar.gz"), e.Message);
        Assert.Contains("data_batch_1.bin", e.Message);
        Assert.Contains("not the CIFAR-10 binary archive", e.Message);
    }

    [Fact]
    public void BadOrTruncatedTarIsNamed()
    {
        using var dir = new TempDir();
        string archive = dir.File("cifar-10-binary.tar.gz");
        File.WriteAllBytes(archive, "this is not an archive at all, just some text that is long enough to be read"u8.ToArray());
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar10", dir.Path, "train"));
        Assert.Contains(archive, e.Message);
        Assert.True(e.Message.Contains("not a valid tar.gz"), e.Message);

        using (var gz = new System.IO.Compression.GZipStream(File.Create(archive), System.IO.Compression.CompressionLevel.Fastest))
            gz.Write(Enumerable.Range(0, 2000).Select(i => (byte)(i * 7 + 1)).ToArray());   // gzip, but not a tar inside
        e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar10", dir.Path, "train"));
        Assert.Contains(archive, e.Message);

        SyntheticDatasets.WriteTarGz(archive, "cifar-10-batches-bin", SyntheticDatasets.Cifar10(perBatch: 30, test: 30));
        var full = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, full[..(full.Length / 2)]);
        e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar10", dir.Path, "train"));
        Assert.Contains(archive, e.Message);
    }

    [Fact]
    public void MissingDataNamesTheFolderAndTheDownloadCommand()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar100", dir.Path, "train"));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("selfsup data download cifar100", e.Message);
    }

    [Fact]
    public void OutOfRangeLabelIsNamed()
    {
        using var dir = new TempDir();
        var members = SyntheticDatasets.Cifar10(perBatch: 2, test: 2);
        members["test_batch.bin"][3073] = 42;                                            // second record's label
        SyntheticDatasets.WriteFolder(dir.Path, members);
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("cifar10", dir.Path, "test"));
        Assert.Contains("test_batch.bin", e.Message);
        Assert.Contains("label 42", e.Message);
    }

    [Fact]
    public void Stl10ImagesAreTransposedFromColumnMajorAndLabelsStartAtZero()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteFolder(dir.File("stl10_binary"), SyntheticDatasets.Stl10(train: 12, test: 5, unlabeled: 7));
        using var train = DatasetCatalog.Open("stl10", dir.Path, "train");
        Assert.Equal([12L, 3, 96, 96], train.Images.shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(k => k % 10), train.Labels);
        Assert.Equal(10, train.ClassCount);
        Assert.Equal("monkey", train.ClassNames[7]);
        AssertPixels(train, 0, 0, sampleOnly: false);
        AssertPixels(train, 11, 11);

        using var unlabeled = DatasetCatalog.Open("stl10", dir.Path, DatasetCatalog.PretrainSplit("stl10"));
        Assert.Equal("unlabeled", unlabeled.Split);
        Assert.Equal(7, unlabeled.Count);
        Assert.All(unlabeled.Labels, l => Assert.Equal(-1, l));
        Assert.Equal(0, unlabeled.ClassCount);
        AssertPixels(unlabeled, 6, 2006);

        using var both = DatasetCatalog.Open("stl10", dir.Path, "unlabeled+train");
        Assert.Equal(19, both.Count);
        Assert.Equal(Enumerable.Repeat(-1, 7).Concat(Enumerable.Range(0, 12).Select(k => k % 10)), both.Labels);
        AssertPixels(both, 7, 0);
        AssertPixels(both, 3, 2003);
    }

    [Fact]
    public void Stl10PackedMatchesExtracted()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteTarGz(dir.File("stl10_binary.tar.gz"), "stl10_binary", SyntheticDatasets.Stl10(train: 4, test: 3, unlabeled: 2));
        using var test = DatasetCatalog.Open("stl10", dir.Path, "test");
        Assert.Equal([0, 1, 2], test.Labels);
        AssertPixels(test, 2, 1002);
        using var both = DatasetCatalog.Open("stl10", dir.Path, "unlabeled+train");
        Assert.Equal([-1, -1, 0, 1, 2, 3], both.Labels);
    }

    [Fact]
    public void Stl10CorruptFilesAreNamed()
    {
        using var dir = new TempDir();
        var members = SyntheticDatasets.Stl10(train: 4, test: 3, unlabeled: 2);
        members["train_X.bin"] = members["train_X.bin"][..^10];
        members["test_y.bin"] = [1, 2];
        members["unlabeled_X.bin"] = [];
        SyntheticDatasets.WriteFolder(dir.Path, members);
        var e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("stl10", dir.Path, "train"));
        Assert.Contains(dir.File("train_X.bin"), e.Message);
        Assert.Contains("truncated", e.Message);
        e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("stl10", dir.Path, "test"));
        Assert.Contains(dir.File("test_y.bin"), e.Message);
        Assert.Contains("2 labels", e.Message);
        e = Assert.Throws<SelfSupError>(() => DatasetCatalog.Open("stl10", dir.Path, "unlabeled"));
        Assert.Contains(dir.File("unlabeled_X.bin"), e.Message);
        Assert.Contains("`pretrain_split`", Assert.Throws<SelfSupError>(() =>
            DatasetCatalog.Open("stl10", dir.Path, "unlabeled", new DataOptions(PretrainSplit: "everything"))).Message);
    }
}
