using SelfSup.Interop;
using SelfSup.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Interop;

/// <summary>Bad weights files and flags give a SelfSupError naming the tensor or input and the fix, and create no run.</summary>
public sealed class WeightImportErrorTests(TinyTrainedRun trained) : IClassFixture<TinyTrainedRun>
{
    /// <summary>The trained run's backbone as exported, edited by <paramref name="edit"/>, written to DIR/bad.safetensors without sidecar.</summary>
    private string Edited(TempDir dir, Action<Dictionary<string, Tensor>> edit)
    {
        WeightExport.Export(trained.Run, dir.File("good.safetensors"), null, "backbone");
        var tensors = Safetensors.LoadStateDict(dir.File("good.safetensors"));
        edit(tensors);
        Safetensors.SaveStateDict(dir.File("bad.safetensors"), tensors);
        return dir.File("bad.safetensors");
    }

    private static SelfSupError Refused(TempDir dir, string file, ImportOptions? options = null)
    {
        var e = Assert.Throws<SelfSupError>(() => WeightImport.Import(file, dir.File("run"), options ?? new ImportOptions()));
        Assert.False(new RunDirectory(dir.File("run")).Exists, "a refused import left a run behind");
        return e;
    }

    [Fact]
    public void An_unknown_tensor_is_named()
    {
        using var dir = new TempDir();
        var e = Refused(dir, Edited(dir, t => t["layer1.0.extra.weight"] = torch.zeros(3)));
        Assert.Contains("'layer1.0.extra.weight'", e.Message);
        Assert.Contains("does not have", e.Message);
    }

    [Fact]
    public void A_missing_buffer_is_named_with_the_fix()
    {
        using var dir = new TempDir();
        var e = Refused(dir, Edited(dir, t => t.Remove("layer2.0.bn1.running_var")));
        Assert.Contains("lacks 'layer2.0.bn1.running_var'", e.Message);
        Assert.Contains("buffers included", e.Message);
    }

    [Fact]
    public void A_wrong_shape_is_named_with_both_shapes()
    {
        using var dir = new TempDir();
        var e = Refused(dir, Edited(dir, t => t["layer3.1.conv2.weight"] = torch.zeros(32, 32, 1, 1)));
        Assert.Contains("'layer3.1.conv2.weight' has shape [32, 32, 1, 1]", e.Message);
        Assert.Contains("[32, 32, 3, 3]", e.Message);
    }

    [Fact]
    public void A_torchvision_classifier_is_refused_unless_dropped()
    {
        using var dir = new TempDir();
        string file = Edited(dir, t => { t["fc.weight"] = torch.zeros(10, 64); t["fc.bias"] = torch.zeros(10); });
        Assert.Contains("`drop_classifier`", Refused(dir, file).Message);
        WeightImport.Import(file, dir.File("run"), new ImportOptions { DropClassifier = true, DataDir = trained.DataDir });
        Assert.NotNull(Checkpoint.Latest(new RunDirectory(dir.File("run"))));
    }

    [Fact]
    public void Prefixed_names_such_as_data_parallels_are_refused_with_the_fix()
    {
        using var dir = new TempDir();
        string file = Edited(dir, t => { foreach (var k in t.Keys.ToList()) { t["module." + k] = t[k]; t.Remove(k); } });
        Assert.Contains("'module.'", Refused(dir, file).Message);
    }

    [Fact]
    public void Flags_that_contradict_the_file_name_the_tensor()
    {
        using var dir = new TempDir();
        string file = Edited(dir, _ => { });
        Assert.Contains("conv1.weight", Refused(dir, file, new ImportOptions { Width = 16 }).Message);
        Assert.Contains("resnet18", Refused(dir, file, new ImportOptions { Model = "resnet50" }).Message);
        var channels = Refused(dir, file, new ImportOptions { Dataset = "cifar10" }).Message;
        Assert.Contains("1-channel", channels);
        Assert.Contains("`dataset`", channels);
    }

    [Fact]
    public void Files_that_are_not_weights_name_the_file_and_the_format()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("junk.pt"), "not a zip");
        Assert.Contains("junk.pt", Refused(dir, dir.File("junk.pt")).Message);
        File.WriteAllBytes(dir.File("junk.safetensors"), [255, 255, 255, 255, 0, 0, 0, 0, 1, 2]);
        Assert.Contains("safetensors", Refused(dir, dir.File("junk.safetensors")).Message);
        File.WriteAllText(dir.File("weights.ckpt"), "x");
        Assert.Contains("`format`", Refused(dir, dir.File("weights.ckpt")).Message);
        Assert.Contains("does not exist", Refused(dir, dir.File("missing.pt")).Message);
        WeightExport.Export(trained.Run, dir.File("whole.pt"), null, "backbone");
        File.WriteAllBytes(dir.File("cut.pt"), File.ReadAllBytes(dir.File("whole.pt"))[..^2000]);
        Assert.Contains("torch.save(model.state_dict(), FILE)", Refused(dir, dir.File("cut.pt")).Message);
    }

    [Fact]
    public void An_existing_run_directory_is_not_overwritten()
    {
        using var dir = new TempDir();
        WeightExport.Export(trained.Run, dir.File("w.pt"), null, "backbone");
        var e = Assert.Throws<SelfSupError>(() => WeightImport.Import(dir.File("w.pt"), trained.Run.Path, new ImportOptions()));
        Assert.Contains("already a run directory", e.Message);
    }

    [Fact]
    public void Export_refuses_an_unknown_part_or_format()
    {
        using var dir = new TempDir();
        Assert.Contains("`what`", Assert.Throws<SelfSupError>(() => WeightExport.Export(trained.Run, dir.File("w.pt"), null, "projector")).Message);
        Assert.Contains("`format`", Assert.Throws<SelfSupError>(() => WeightExport.Export(trained.Run, dir.File("w.pt"), "h5", "backbone")).Message);
        Assert.False(File.Exists(dir.File("w.pt")));
    }
}
