using SelfSup.IO;
using SelfSup.Tests.Interop;
using TorchSharp;
using Xunit;

namespace SelfSup.Tests.Cli;

/// <summary><c>selfsup export</c>, <c>import</c> and <c>embed</c> as child processes: files written, shapes, labels, one-line errors.</summary>
public sealed class ExportImportEmbedCliTests(TinyTrainedRun trained) : IClassFixture<TinyTrainedRun>
{
    private static void AssertOk(CliProcess.Result r) => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");

    [Fact]
    public void Export_import_and_embed_give_the_runs_own_features_with_labels_beside_and_probe_accepts_the_import()
    {
        using var dir = new TempDir();
        AssertOk(CliProcess.Run("export", trained.Run.Path, "--out", dir.File("w.safetensors"), "--what", "encoder"));
        Assert.True(File.Exists(dir.File("w.safetensors.json")));
        AssertOk(CliProcess.Run("import", dir.File("w.safetensors"), "--out", dir.File("imported")));
        AssertOk(CliProcess.Run("embed", trained.Run.Path, "--split", "test", "--out", dir.File("a.npy")));
        AssertOk(CliProcess.Run("embed", dir.File("imported"), "--split", "test", "--out", dir.File("b.npy")));
        using var a = NpyFile.Read(dir.File("a.npy"));
        using var b = NpyFile.Read(dir.File("b.npy"));
        Assert.Equal([40L, 64L], a.shape);
        Assert.True(a.eq(b).all().item<bool>(), "the imported run's features differ from the original's");
        using var labels = NpyFile.Read(dir.File("a.labels.npy"));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (float)(i % 10)), labels.data<float>().ToArray());
        var probe = CliProcess.Run("probe", dir.File("imported"), "--probe-epochs", "2", "--no-knn");
        AssertOk(probe);
        Assert.Contains("probe_top1=", probe.Stdout);
    }

    [Fact]
    public void Export_writes_an_onnx_graph_and_its_sidecar()
    {
        using var dir = new TempDir();
        var r = CliProcess.Run("export", trained.Run.Path, "--out", dir.File("w.onnx"), "--what", "encoder");
        AssertOk(r);
        Assert.Contains("(onnx)", r.Stdout);
        Assert.True(new FileInfo(dir.File("w.onnx")).Length > 0);
        Assert.Contains("\"tensor_format\": \"onnx\"", File.ReadAllText(dir.File("w.onnx.json")));
    }

    [Fact]
    public void Embed_takes_images_from_an_npy_and_gives_projector_embeddings_on_request()
    {
        using var dir = new TempDir();
        NpyFile.Write(dir.File("images.npy"), torch.rand(5, 1, 28, 28, dtype: torch.float64)); // float64 is read too
        AssertOk(CliProcess.Run("embed", trained.Run.Path, "--npy", dir.File("images.npy"), "--out", dir.File("f.npy")));
        using (var f = NpyFile.Read(dir.File("f.npy"))) Assert.Equal([5L, 64L], f.shape);
        Assert.False(File.Exists(dir.File("f.labels.npy")));
        AssertOk(CliProcess.Run("embed", trained.Run.Path, "--npy", dir.File("images.npy"), "--precision", "bf16", "--out", dir.File("h.npy")));
        using (var f = NpyFile.Read(dir.File("f.npy")))
        using (var h = NpyFile.Read(dir.File("h.npy")))
        {
            double relative = (h - f).norm().item<float>() / f.norm().item<float>();
            Assert.InRange(relative, 1e-5, 0.05);   // bf16 on request: near the default fp32 features, not the same numbers
        }
        CliTests.AssertOneLineError(CliProcess.Run("embed", trained.Run.Path, "--npy", dir.File("images.npy"), "--precision", "fp8", "--out", dir.File("e.npy")), "--precision fp8");
        AssertOk(CliProcess.Run("embed", trained.Run.Path, "--npy", dir.File("images.npy"), "--projector", "--out", dir.File("z.npy")));
        using (var z = NpyFile.Read(dir.File("z.npy"))) Assert.Equal([5L, 16L], z.shape);
    }

    [Fact]
    public void Bad_inputs_give_one_line_errors_naming_them()
    {
        using var dir = new TempDir();
        CliTests.AssertOneLineError(CliProcess.Run("export", trained.Run.Path, "--out", dir.File("w.h5")), "--format");
        CliTests.AssertOneLineError(CliProcess.Run("import", dir.File("w.onnx"), "--out", dir.File("r")), ".pt");
        CliTests.AssertOneLineError(CliProcess.Run("import", dir.File("missing.pt"), "--out", dir.File("r")), "missing.pt");
        NpyFile.Write(dir.File("rgb.npy"), torch.rand(2, 3, 28, 28));
        CliTests.AssertOneLineError(CliProcess.Run("embed", trained.Run.Path, "--npy", dir.File("rgb.npy"), "--out", dir.File("f.npy")), "rgb.npy");
        NpyFile.Write(dir.File("big.npy"), torch.rand(2, 1, 28, 28) * 255);
        CliTests.AssertOneLineError(CliProcess.Run("embed", trained.Run.Path, "--npy", dir.File("big.npy"), "--out", dir.File("f.npy")), "[0, 1]");
    }
}
