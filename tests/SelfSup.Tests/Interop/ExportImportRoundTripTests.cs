using System.Text.Json;
using SelfSup.Data;
using SelfSup.Evaluation;
using SelfSup.Interop;
using SelfSup.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Interop;

/// <summary>A trained run exported to .pt and .safetensors and imported back gives the same features, embeddings and checks.</summary>
public sealed class ExportImportRoundTripTests(TinyTrainedRun trained) : IClassFixture<TinyTrainedRun>
{
    private Tensor TestFeatures(RunDirectory run, bool projector = false)
    {
        using var loaded = RunEncoder.Load(run);
        using var data = DatasetCatalog.Open("fashion-mnist", trained.DataDir, "test");
        return Embeddings.OfSplit(loaded.Encoder, data, loaded.Config.ResolveAugmentation(), torch.CPU, projector);
    }

    private RunDirectory ExportAndImport(TempDir dir, string file, string what = "backbone")
    {
        WeightExport.Export(trained.Run, dir.File(file), null, what);
        WeightImport.Import(dir.File(file), dir.File("imported"), new ImportOptions());
        return new RunDirectory(dir.File("imported"));
    }

    [Theory]
    [InlineData("backbone.pt")]
    [InlineData("backbone.safetensors")]
    public void An_exported_backbone_imports_into_a_run_with_identical_features(string file)
    {
        using var dir = new TempDir();
        var imported = ExportAndImport(dir, file);
        using var original = TestFeatures(trained.Run);
        using var again = TestFeatures(imported);
        Assert.Equal(original.shape, again.shape);
        Assert.True(original.eq(again).all().item<bool>(), $"max difference {(original - again).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData("encoder.pt")]
    [InlineData("encoder.safetensors")]
    public void An_exported_encoder_keeps_the_projector_so_embeddings_are_identical(string file)
    {
        using var dir = new TempDir();
        var imported = ExportAndImport(dir, file, "encoder");
        using var original = TestFeatures(trained.Run, projector: true);
        using var again = TestFeatures(imported, projector: true);
        Assert.Equal([40L, 16L], again.shape);
        Assert.True(original.eq(again).all().item<bool>());
    }

    [Fact]
    public void The_imported_checkpoint_passes_the_run_checks_and_spectrum_reads_it()
    {
        using var dir = new TempDir();
        var imported = ExportAndImport(dir, "w.pt");
        string? latest = Checkpoint.Latest(imported, warn: m => Assert.Fail(m));
        Assert.NotNull(latest);
        Assert.EndsWith("epoch-0000", latest);
        Assert.Null(Checkpoint.Problem(latest));
        var config = imported.ReadConfig();
        Assert.Equal(("resnet18", 8, 16), (config.Model, config.Width, config.ProjDim));
        Assert.Equal(trained.DataDir, config.DataDir);
        var spectrum = RunSpectrum.Compute(imported, images: 40);
        Assert.Equal(64, spectrum.Features.Eigenvalues.Length);
    }

    [Fact]
    public void The_sidecar_records_architecture_input_normalisation_and_training_config()
    {
        using var dir = new TempDir();
        WeightExport.Export(trained.Run, dir.File("e.safetensors"), null, "encoder");
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("e.safetensors.json")));
        var root = doc.RootElement;
        Assert.Equal("encoder", root.GetProperty("what").GetString());
        Assert.Equal("safetensors", root.GetProperty("tensor_format").GetString());
        var arch = root.GetProperty("architecture");
        Assert.Equal("resnet18", arch.GetProperty("model").GetString());
        Assert.Equal(8, arch.GetProperty("width").GetInt32());
        Assert.Equal(1, arch.GetProperty("in_channels").GetInt32());
        Assert.Equal("cifar", arch.GetProperty("stem").GetString());
        Assert.Equal([64, 16, 16], arch.GetProperty("projector_dims").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 28, 28], root.GetProperty("input_size").EnumerateArray().Select(e => e.GetInt32()));
        var preset = SelfSup.Views.AugmentationPreset.ForName("fashion-mnist");
        var normalize = root.GetProperty("normalize");
        Assert.Equal(preset.Mean, normalize.GetProperty("mean").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal(preset.Std, normalize.GetProperty("std").EnumerateArray().Select(e => e.GetSingle()));
        Assert.Equal(6, root.GetProperty("step").GetInt64());
        Assert.Equal(8, root.GetProperty("train_config").GetProperty("batch_size").GetInt32());
    }

    [Fact]
    public void A_backbone_without_sidecar_imports_with_a_seeded_projector_of_the_requested_size()
    {
        using var dir = new TempDir();
        WeightExport.Export(trained.Run, dir.File("b.pt"), null, "backbone");
        File.Delete(dir.File("b.pt.json"));
        WeightImport.Import(dir.File("b.pt"), dir.File("run"), new ImportOptions { ProjDim = 32, DataDir = trained.DataDir });
        var imported = new RunDirectory(dir.File("run"));
        var config = imported.ReadConfig();
        Assert.Equal((8, 32, "fashion-mnist"), (config.Width, config.ProjDim, config.Dataset));
        using var original = TestFeatures(trained.Run);
        using var again = TestFeatures(imported);
        Assert.True(original.eq(again).all().item<bool>());
    }
}
