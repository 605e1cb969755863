using SelfSup.Data;
using Xunit;

namespace SelfSup.Tests.Data;

/// <summary>Downloads from a loopback HTTP server: resume with Range, MD5 check, and the error cases.</summary>
public sealed class DatasetDownloaderTests
{
    private static byte[] Archive(int seed, int size = 300_000)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void KnowsTheOfficialArchivesAndTheirPublishedChecksums()
    {
        Assert.Equal("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", DatasetDownloader.Sources["cifar10"].Url);
        Assert.Equal("c32a1d4ab5d03f1284b67883e8d87530", DatasetDownloader.Sources["cifar10"].Md5);
        Assert.Equal("03b5dce01913d631647c71ecec9e9cb8", DatasetDownloader.Sources["cifar100"].Md5);
        Assert.Equal("stl10_binary.tar.gz", DatasetDownloader.Sources["stl10"].FileName);
        Assert.Equal("91f7769df0f17e558f3565bffb0c7dfb", DatasetDownloader.Sources["stl10"].Md5);
    }

    [Fact]
    public void DownloadsAndVerifiesThenSkipsAFileThatIsAlreadyThere()
    {
        using var dir = new TempDir();
        using var server = new LoopbackServer();
        var bytes = Archive(1);
        string url = server.Add("c10.tar.gz", bytes);
        string md5 = Convert.ToHexString(System.Security.Cryptography.MD5.HashData(bytes)).ToLowerInvariant();
        var progress = new List<long>();
        var result = DatasetDownloader.Download("cifar10", dir.Path, url, md5, (have, _) => progress.Add(have));
        Assert.False(result.AlreadyPresent);
        Assert.Equal(dir.File("cifar-10-binary.tar.gz"), result.Path);
        Assert.Equal(bytes, File.ReadAllBytes(result.Path));
        Assert.Equal(bytes.Length, progress[^1]);
        Assert.False(File.Exists(result.Path + ".part"));
        Assert.True(DatasetDownloader.Download("cifar10", dir.Path, url, md5).AlreadyPresent);
    }

    [Fact]
    public void AnInterruptedDownloadResumesWithARangeRequest()
    {
        using var dir = new TempDir();
        using var server = new LoopbackServer();
        var bytes = Archive(2);
        string url = server.Add("stl.tar.gz", bytes, cutFirstAfter: 100_000);
        string md5 = DatasetDownloaderTestsMd5(bytes);
        var e = Assert.Throws<SelfSupError>(() => DatasetDownloader.Download("stl10", dir.Path, url, md5));
        Assert.Contains("resume", e.Message);
        long kept = new FileInfo(dir.File("stl10_binary.tar.gz.part")).Length;
        Assert.InRange(kept, 1, bytes.Length - 1);

        var result = DatasetDownloader.Download("stl10", dir.Path, url, md5);
        Assert.True(result.Resumed);
        Assert.Equal($"bytes={kept}-", server.RangeHeaders[^1]);
        Assert.Equal(bytes, File.ReadAllBytes(dir.File("stl10_binary.tar.gz")));
    }

    [Fact]
    public void AWrongChecksumDeletesTheDownloadAndSaysSo()
    {
        using var dir = new TempDir();
        using var server = new LoopbackServer();
        string url = server.Add("x.tar.gz", Archive(3));
        var e = Assert.Throws<SelfSupError>(() => DatasetDownloader.Download("cifar100", dir.Path, url, new string('0', 32)));
        Assert.Contains("MD5", e.Message);
        Assert.Contains(dir.File("cifar-100-binary.tar.gz"), e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void MissingFileAndUnknownDatasetAreClearErrors()
    {
        using var dir = new TempDir();
        using var server = new LoopbackServer();
        Assert.Contains("404", Assert.Throws<SelfSupError>(() => DatasetDownloader.Download("cifar10", dir.Path, server.BaseUrl + "nope", "00")).Message);
        Assert.Contains("imagenet", Assert.Throws<SelfSupError>(() => DatasetDownloader.Download("imagenet", dir.Path)).Message);
    }

    internal static string DatasetDownloaderTestsMd5(byte[] bytes) => Convert.ToHexString(System.Security.Cryptography.MD5.HashData(bytes)).ToLowerInvariant();
}
