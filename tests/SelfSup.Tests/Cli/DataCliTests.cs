using System.Text.Json;
using SelfSup.Tests.Data;
using Xunit;

namespace SelfSup.Tests.Cli;

/// <summary>
/// Every data source through the real command line (pretrain → probe → views), `data download` against a
/// loopback HTTP server, `data info`, and the corrupt-input cases as one-line errors with a non-zero exit.
/// </summary>
public sealed class DataCliTests
{
    private static readonly string[] Tiny = ["--width", "8", "--proj-dim", "16", "--batch-size", "8", "--epochs", "1", "--threads", "1", "--probe-epochs", "2"];

    private static void AssertOneLineError(CliProcess.Result r, params string[] mustContain)
    {
        Assert.NotEqual(0, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one error line, got:\n{r.Stderr}");
        Assert.StartsWith("error:", lines[0]);
        foreach (var s in mustContain) Assert.True(lines[0].Contains(s), $"'{s}' not in: {lines[0]}");
    }

    private static void AssertOk(CliProcess.Result r) => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stderr}\n{r.Stdout}");

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static void PretrainProbeViews(TempDir dir, string dataset, string dataDir, string[] extra, string expectedPreset)
    {
        var run = dir.File("run-" + dataset);
        AssertOk(CliProcess.Run(["pretrain", "--dataset", dataset, "--data-dir", dataDir, .. Tiny, .. extra, "--out", run]));
        var config = Json(Path.Combine(run, "config.json"));
        Assert.Equal(dataset, config.GetProperty("dataset").GetString());
        Assert.True(File.Exists(Path.Combine(run, "checkpoints/epoch-0001/model.bin")));
        var summary = Json(Path.Combine(run, "summary.json"));
        Assert.InRange(summary.GetProperty("probe_top1").GetDouble(), 0, 100);

        var probe = CliProcess.Run("probe", run, "--probe-epochs", "2", "--no-knn");
        AssertOk(probe);
        Assert.Contains("probe_top1=", probe.Stdout);

        var grid = dir.File($"views-{dataset}.png");
        var views = CliProcess.Run(["views", "--dataset", dataset, "--data-dir", dataDir, "--count", "2", "--views", "2", "--scale", "1", "--out", grid,
            .. extra.Where((a, i) => a is "--class-list" or "--cache-side" or "--label" || (i > 0 && extra[i - 1] is "--class-list" or "--cache-side" or "--label"))]);
        AssertOk(views);
        Assert.Contains($"preset {expectedPreset}", views.Stdout);
        Assert.True(new FileInfo(grid).Length > 100);
    }

    [Fact]
    public void Cifar10PackedPretrainsProbesAndDrawsViewsWithAStratifiedSubset()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteTarGz(dir.File("c10/cifar-10-binary.tar.gz"), "cifar-10-batches-bin", SyntheticDatasets.Cifar10(perBatch: 8, test: 10));
        PretrainProbeViews(dir, "cifar10", dir.File("c10"), ["--fraction", "0.5", "--stratified"], "cifar");
        var subset = Json(dir.File("run-cifar10/subset.json"));
        Assert.Equal(20, subset.GetProperty("count").GetInt32());
        Assert.Equal(20, subset.GetProperty("indices").GetArrayLength());
        Assert.True(subset.GetProperty("stratified").GetBoolean());
        var chosen = subset.GetProperty("indices").EnumerateArray().Select(e => e.GetInt32() % 10).ToArray();
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(2, chosen.Count(l => l == c)));   // 4 of each class → 2 kept
    }

    [Fact]
    public void Cifar100CoarseExtractedPretrainsProbesAndDrawsViews()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteFolder(dir.File("c100/cifar-100-binary"), SyntheticDatasets.Cifar100(train: 40, test: 20));
        PretrainProbeViews(dir, "cifar100", dir.File("c100"), ["--label", "coarse"], "cifar");
        Assert.Equal("coarse", Json(dir.File("run-cifar100/config.json")).GetProperty("label").GetString());
    }

    [Fact]
    public void Stl10PretrainsOnUnlabeledAndProbesOnTrainAndTest()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteTarGz(dir.File("stl/stl10_binary.tar.gz"), "stl10_binary", SyntheticDatasets.Stl10(train: 20, test: 10, unlabeled: 16));
        PretrainProbeViews(dir, "stl10", dir.File("stl"), [], "stl10");
        var subset = Json(dir.File("run-stl10/subset.json"));
        Assert.Equal("unlabeled", subset.GetProperty("split").GetString());
        Assert.Equal(16, subset.GetProperty("total").GetInt32());

        var both = CliProcess.Run(["pretrain", "--dataset", "stl10", "--data-dir", dir.File("stl"), .. Tiny, "--pretrain-split", "unlabeled+train", "--no-probe", "--out", dir.File("both")]);
        AssertOk(both);
        Assert.Equal(36, Json(dir.File("both/subset.json")).GetProperty("total").GetInt32());
    }

    [Fact]
    public void ImageFolderWithAClassListPretrainsProbesAndDrawsViews()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteImageFolder(dir.File("tree"), ["n01", "n02", "n03"], trainPerClass: 6, valPerClass: 3);
        File.WriteAllText(dir.File("classes.txt"), "n01\nn03\n");
        PretrainProbeViews(dir, "imagefolder", dir.File("tree"), ["--class-list", dir.File("classes.txt"), "--cache-side", "40"], "imagenet100");
        var config = Json(dir.File("run-imagefolder/config.json"));
        Assert.Equal(dir.File("classes.txt"), config.GetProperty("class_list").GetString());
        Assert.Equal(40, config.GetProperty("cache_side").GetInt32());
        Assert.NotEmpty(Directory.GetFiles(dir.File("tree/.selfsup-cache"), "imagefolder-classes-train-*.cache"));
    }

    [Fact]
    public void FolderPretrainsWithoutAProbeAndTheProbeRefusesIt()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("pics"));
        for (int i = 0; i < 10; i++)
            File.WriteAllBytes(dir.File($"pics/p{i}.jpg"), SyntheticDatasets.EncodedImage(48 + i, 40, SyntheticDatasets.ClassColors[i % 4], seed: i));
        var r = CliProcess.Run(["pretrain", "--dataset", "folder", "--data-dir", dir.File("pics"), "--cache-side", "36", .. Tiny, "--out", dir.File("run")]);
        AssertOk(r);
        Assert.Contains("no linear probe", r.Stdout);
        Assert.True(File.Exists(dir.File("run/checkpoints/epoch-0001/model.bin")));
        AssertOneLineError(CliProcess.Run("probe", dir.File("run")), "'folder'", "unlabeled");
        var views = CliProcess.Run("views", "--dataset", "folder", "--data-dir", dir.File("pics"), "--cache-side", "36", "--count", "2", "--out", dir.File("v.png"));
        AssertOk(views);
        Assert.Contains("preset imagenet100", views.Stdout);
    }

    [Fact]
    public void DownloadResumesAfterATruncatedTransferAndVerifiesTheChecksum()
    {
        using var dir = new TempDir();
        using var server = new LoopbackServer();
        SyntheticDatasets.WriteTarGz(dir.File("src/stl10_binary.tar.gz"), "stl10_binary", SyntheticDatasets.Stl10(train: 10, test: 5, unlabeled: 4));
        var archive = File.ReadAllBytes(dir.File("src/stl10_binary.tar.gz"));
        string url = server.Add("stl10_binary.tar.gz", archive, cutFirstAfter: archive.Length / 3);
        string md5 = DatasetDownloaderTests.DatasetDownloaderTestsMd5(archive);

        AssertOneLineError(CliProcess.Run("data", "download", "stl10", "--to", dir.File("dl"), "--url", url, "--md5", md5), "resume", "stl10_binary.tar.gz.part");
        Assert.True(File.Exists(dir.File("dl/stl10_binary.tar.gz.part")));
        var again = CliProcess.Run("data", "download", "stl10", "--to", dir.File("dl"), "--url", url, "--md5", md5);
        AssertOk(again);
        Assert.Contains("resumed", again.Stdout);
        Assert.StartsWith("bytes=", server.RangeHeaders[^1]);
        Assert.Equal(archive, File.ReadAllBytes(dir.File("dl/stl10_binary.tar.gz")));
        Assert.Contains("already there", CliProcess.Run("data", "download", "stl10", "--to", dir.File("dl"), "--url", url, "--md5", md5).Stdout);

        var info = CliProcess.Run("data", "info", "--dataset", "stl10", "--data-dir", dir.File("dl"), "--json");
        AssertOk(info);
        var json = JsonDocument.Parse(info.Stdout.Trim()).RootElement;
        Assert.Equal("stl10-binary", json.GetProperty("format").GetString());
        Assert.Equal(10, json.GetProperty("splits").GetProperty("train").GetInt32());
        Assert.Equal(4, json.GetProperty("splits").GetProperty("unlabeled").GetInt32());
        Assert.Equal(10, json.GetProperty("classes").GetInt32());
        Assert.Equal([3, 96, 96], json.GetProperty("image_size").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void DownloadWithAWrongChecksumIsAOneLineError()
    {
        using var dir = new TempDir();
        using var server = new LoopbackServer();
        string url = server.Add("c.tar.gz", new byte[5000]);
        AssertOneLineError(CliProcess.Run("data", "download", "cifar10", "--to", dir.Path, "--url", url), "MD5", "c32a1d4ab5d03f1284b67883e8d87530");
        Assert.False(File.Exists(dir.File("cifar-10-binary.tar.gz")));
        Assert.False(File.Exists(dir.File("cifar-10-binary.tar.gz.part")));
        Assert.Equal(2, CliProcess.Run("data", "download", "imagenet", "--to", dir.Path).ExitCode);
    }

    [Fact]
    public void DataInfoPrintsFormatSplitsClassesAndSize()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteFolder(dir.File("c10"), SyntheticDatasets.Cifar10(perBatch: 2, test: 3));
        var r = CliProcess.Run("data", "info", "--dataset", "cifar10", "--data-dir", dir.File("c10"), "--json");
        AssertOk(r);
        var lines = r.Stdout.Trim().Split('\n');
        Assert.Single(lines);
        var json = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("cifar10-binary", json.GetProperty("format").GetString());
        Assert.Equal(10, json.GetProperty("splits").GetProperty("train").GetInt32());
        Assert.Equal(3, json.GetProperty("splits").GetProperty("test").GetInt32());
        Assert.Equal(10, json.GetProperty("classes").GetInt32());
        Assert.Equal([3, 32, 32], json.GetProperty("image_size").EnumerateArray().Select(e => e.GetInt32()));

        SyntheticDatasets.WriteImageFolder(dir.File("tree"), ["a", "b"], trainPerClass: 2, valPerClass: 1);
        var text = CliProcess.Run("data", "info", "--dataset", "imagefolder", "--data-dir", dir.File("tree"));
        AssertOk(text);
        Assert.Contains("train 4, val 2", text.Stdout);
        Assert.Contains("3x144x144", text.Stdout);
    }

    [Fact]
    public void CorruptInputsEndInOneLineNamingTheFile()
    {
        using var dir = new TempDir();
        // truncated record file
        SyntheticDatasets.WriteFolder(dir.File("c10"), SyntheticDatasets.Cifar10(perBatch: 4, test: 4));
        var batch = dir.File("c10/data_batch_3.bin");
        File.WriteAllBytes(batch, File.ReadAllBytes(batch)[..^7]);
        AssertOneLineError(CliProcess.Run(["pretrain", "--dataset", "cifar10", "--data-dir", dir.File("c10"), .. Tiny, "--out", dir.File("r1")]), batch, "truncated");
        Assert.False(Directory.Exists(dir.File("r1")));

        // wrong archive
        SyntheticDatasets.WriteTarGz(dir.File("wrong/cifar-100-binary.tar.gz"), "cifar-10-batches-bin", SyntheticDatasets.Cifar10(perBatch: 2, test: 2));
        AssertOneLineError(CliProcess.Run("views", "--dataset", "cifar100", "--data-dir", dir.File("wrong"), "--out", dir.File("v.png")),
            dir.File("wrong/cifar-100-binary.tar.gz"), "train.bin");

        // bad tar
        Directory.CreateDirectory(dir.File("bad"));
        File.WriteAllBytes(dir.File("bad/stl10_binary.tar.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]);
        AssertOneLineError(CliProcess.Run("views", "--dataset", "stl10", "--data-dir", dir.File("bad"), "--out", dir.File("v.png")), dir.File("bad/stl10_binary.tar.gz"));

        // zero-byte image, empty class folder, class list naming a missing folder
        SyntheticDatasets.WriteImageFolder(dir.File("tree"), ["a", "b"], trainPerClass: 2, valPerClass: 1);
        File.WriteAllBytes(dir.File("tree/train/a/zero.jpg"), []);
        AssertOneLineError(CliProcess.Run("views", "--dataset", "imagefolder", "--data-dir", dir.File("tree"), "--out", dir.File("v.png")), dir.File("tree/train/a/zero.jpg"), "empty");
        File.Delete(dir.File("tree/train/a/zero.jpg"));
        Directory.CreateDirectory(dir.File("tree/train/c"));
        AssertOneLineError(CliProcess.Run("views", "--dataset", "imagefolder", "--data-dir", dir.File("tree"), "--out", dir.File("v.png")), dir.File("tree/train/c"), "no images");
        File.WriteAllText(dir.File("list.txt"), "a\nzebra\n");
        AssertOneLineError(CliProcess.Run("views", "--dataset", "imagefolder", "--data-dir", dir.File("tree"), "--class-list", dir.File("list.txt"), "--out", dir.File("v.png")),
            dir.File("tree/train/zebra"), "zebra");
        AssertOneLineError(CliProcess.Run("views", "--dataset", "imagefolder", "--data-dir", dir.File("tree"), "--class-list", dir.File("none.txt"), "--out", dir.File("v.png")),
            dir.File("none.txt"), "--class-list");

        // undecodable image
        Directory.Delete(dir.File("tree/train/c"));
        File.WriteAllBytes(dir.File("tree/train/b/img000.jpg"), "GIF89a nonsense"u8.ToArray());
        AssertOneLineError(CliProcess.Run("views", "--dataset", "imagefolder", "--data-dir", dir.File("tree"), "--out", dir.File("v.png")),
            dir.File("tree/train/b/img000.jpg"), "cannot be decoded");
    }
}
