using System.Collections.Concurrent;
using SelfSup.Data;
using Xunit;

namespace SelfSup.Tests.Data;

/// <summary>
/// The image cache is checked on open (a damaged or truncated file is reported in one line and rebuilt), is
/// written durably, and is named by all its settings, so caches made with other settings live side by side.
/// </summary>
public sealed class ImageCacheTests
{
    /// <summary>Warnings about caches under <paramref name="dir"/>, collected while the returned handle is alive.</summary>
    private sealed class Warnings : IDisposable
    {
        private readonly string _dir;
        public ConcurrentQueue<string> Messages { get; } = new();
        public Warnings(string dir) { _dir = dir; ImageCache.Warning += Collect; }
        private void Collect(string message) { if (message.Contains(_dir)) Messages.Enqueue(message); }
        public void Dispose() => ImageCache.Warning -= Collect;
    }

    private static void AssertCifarTest(ImageDataset data, int count)
    {
        Assert.Equal([count, 3L, 32, 32], data.Images.shape);
        Assert.Equal(Enumerable.Range(0, count).Select(k => k % 10), data.Labels);
        var pixels = data.Images.contiguous().data<byte>().ToArray();
        for (int k = 0; k < count; k += Math.Max(1, count / 7))
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 32; y += 3)
                    for (int x = 0; x < 32; x += 5)
                        Assert.Equal(SyntheticDatasets.Pixel(1000 + k, c, y, x), pixels[((k * 3 + c) * 32 + y) * 32 + x]);
    }

    /// <summary>Writes a CIFAR-10 test split of <paramref name="count"/> images into <paramref name="dir"/>, builds its cache and returns the cache file.</summary>
    private static string BuiltCache(TempDir dir, int count)
    {
        SyntheticDatasets.WriteFolder(dir.Path, SyntheticDatasets.Cifar10(perBatch: 1, test: count));
        DatasetCatalog.Open("cifar10", dir.Path, "test").Dispose();
        return Assert.Single(Directory.GetFiles(dir.File(".selfsup-cache"), "cifar10-test-*.cache"));
    }

    [Fact]
    public void AFlippedPayloadByteIsDetectedReportedInOneLineAndRebuilt()
    {
        using var dir = new TempDir();
        string cache = BuiltCache(dir, 4);
        var intact = File.ReadAllBytes(cache);
        Assert.Null(ImageCache.Verify(cache));

        var damaged = (byte[])intact.Clone();
        damaged[ImageCache.HeaderBytes + 5000] ^= 0x10;                 // one pixel of image 1
        File.WriteAllBytes(cache, damaged);
        var problem = ImageCache.Verify(cache);
        Assert.NotNull(problem);
        Assert.Contains(cache, problem);
        Assert.Contains("checksum", problem);

        using var warnings = new Warnings(dir.Path);
        using (var data = DatasetCatalog.Open("cifar10", dir.Path, "test")) AssertCifarTest(data, 4);
        var warning = Assert.Single(warnings.Messages);
        Assert.Contains(cache, warning);
        Assert.DoesNotContain('\n', warning);
        Assert.Equal(intact, File.ReadAllBytes(cache));                      // rebuilt to the same bytes
    }

    [Fact]
    public void ATruncatedCacheIsDetectedAndRebuilt()
    {
        using var dir = new TempDir();
        string cache = BuiltCache(dir, 3);
        var intact = File.ReadAllBytes(cache);
        foreach (int keep in new[] { intact.Length - 1, intact.Length / 2, ImageCache.HeaderBytes, 100, 0 })
        {
            File.WriteAllBytes(cache, intact[..keep]);
            Assert.Contains("truncated", ImageCache.Verify(cache));
            using var warnings = new Warnings(dir.Path);
            using (var data = DatasetCatalog.Open("cifar10", dir.Path, "test")) AssertCifarTest(data, 3);
            Assert.Contains("truncated", Assert.Single(warnings.Messages));
        }
    }

    [Fact]
    public void LargeCachesAreSampledOnOpenAndCheckedInFullOnDemand()
    {
        using var dir = new TempDir();
        const int count = 5600;                                             // 17 MB of images: the 256 sampled blocks of 64 KiB leave gaps
        string cache = BuiltCache(dir, count);
        var intact = File.ReadAllBytes(cache);
        long images = count * 3072L, stride = (images - (64 << 10)) / 255;

        var inSample = (byte[])intact.Clone();
        inSample[ImageCache.HeaderBytes + 3 * stride + 100] ^= 1;          // inside the 4th sampled block
        File.WriteAllBytes(cache, inSample);
        Assert.Contains("sampled checksum", ImageCache.Verify(cache, full: false));

        var inGap = (byte[])intact.Clone();
        inGap[ImageCache.HeaderBytes + 3 * stride + (64 << 10) + 100] ^= 1;  // between the 4th and 5th blocks
        File.WriteAllBytes(cache, inGap);
        Assert.Null(ImageCache.Verify(cache, full: false));                 // the sample cannot see it …
        Assert.Contains("checksum", ImageCache.Verify(cache, full: true));  // … the full check can, and open (under 256 MB) does
        using var warnings = new Warnings(dir.Path);
        using (var data = DatasetCatalog.Open("cifar10", dir.Path, "test")) AssertCifarTest(data, count);
        Assert.Single(warnings.Messages);
    }

    [Fact]
    public void TwoClassListsWithTheSameFileNameKeepTwoCaches()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.File("tree"), ["cat", "dog", "fish"], trainPerClass: 2, valPerClass: 1);
        Directory.CreateDirectory(dir.File("a"));
        Directory.CreateDirectory(dir.File("b"));
        File.WriteAllText(dir.File("a/classes.txt"), "cat\ndog\n");
        File.WriteAllText(dir.File("b/classes.txt"), "fish\ncat\n");
        ImageDataset Load(string list) => DatasetCatalog.Open("imagefolder", dir.File("tree"), "train", new DataOptions(ClassList: dir.File(list), CacheSide: 16));

        using (var a = Load("a/classes.txt")) Assert.Equal(["cat", "dog"], a.ClassNames);
        using (var b = Load("b/classes.txt")) Assert.Equal(["cat", "fish"], b.ClassNames);
        var caches = Directory.GetFiles(dir.File("tree/.selfsup-cache"), "imagefolder-classes-train-*.cache");
        Assert.Equal(2, caches.Length);
        var written = caches.ToDictionary(c => c, File.GetLastWriteTimeUtc);
        using (var a = Load("a/classes.txt")) Assert.Equal(["cat", "dog"], a.ClassNames);
        using (var b = Load("b/classes.txt")) Assert.Equal(["cat", "fish"], b.ClassNames);
        foreach (var (cache, time) in written)
        {
            Assert.Equal(time, File.GetLastWriteTimeUtc(cache));            // reused, not rebuilt
            Assert.Null(ImageCache.Verify(cache));
        }
    }

    [Fact]
    public void TwoCacheSidesKeepTwoCaches()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.Path, ["cat", "dog"], trainPerClass: 2, valPerClass: 1);
        foreach (int side in new[] { 16, 24, 16, 24 })
            using (var data = DatasetCatalog.Open("imagefolder", dir.Path, "train", new DataOptions(CacheSide: side)))
                Assert.Equal(side, data.Height);
        var caches = Directory.GetFiles(dir.File(".selfsup-cache"), "imagefolder-train-*.cache");
        Assert.Equal(2, caches.Length);
        Assert.All(caches, c => Assert.Null(ImageCache.Verify(c)));
    }

    [Fact]
    public void ABuildRemovesTemporariesOfEndedProcessesAndVersion1CachesOfTheSameNameOnly()
    {
        using var dir = new TempDir();
        string cache = BuiltCache(dir, 2);
        string cacheDir = Path.GetDirectoryName(cache)!;
        string abandoned = cache + ".tmp-2147483646", version1 = Path.Combine(cacheDir, "cifar10-test-0123456789ab.cache"),
            otherSplit = Path.Combine(cacheDir, "cifar10-train-0123456789ab.cache");
        foreach (var f in new[] { abandoned, version1, otherSplit }) File.WriteAllText(f, "left over");
        File.WriteAllBytes(cache, [1, 2, 3]);                               // damaged: the next open rebuilds
        using (new Warnings(dir.Path))
            DatasetCatalog.Open("cifar10", dir.Path, "test").Dispose();
        Assert.False(File.Exists(abandoned));
        Assert.False(File.Exists(version1));
        Assert.True(File.Exists(otherSplit));
        Assert.Null(ImageCache.Verify(cache));
    }
}
