using SelfSup.Models;
using SelfSup.Interop;
using SelfSup.Training;
using TorchSharp;
using Xunit;

namespace SelfSup.Tests.Interop;

/// <summary><c>pretrain --init</c>: a new run starts from a run's checkpoint or an exported file instead of random weights.</summary>
public sealed class InitFromTests
{
    private static Dictionary<string, float[]> Weights(string checkpointDir, TrainConfig config)
    {
        using var encoder = new Encoder(config.EncoderFor(1));
        Checkpoint.LoadModel(checkpointDir, encoder);
        return encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());
    }

    /// <summary>A one-step run with learning rate 1e-30 (no float moves) from <paramref name="init"/>: its weights are the starting weights.</summary>
    private static (Dictionary<string, float[]> Weights, TrainConfig Config) StartFrom(TinyTrainedRun source, string name, string init)
    {
        var config = source.Run.ReadConfig() with { Init = init, Lr = 1e-30, Steps = 1, Seed = 11 };
        var run = new RunDirectory(source.Dir.File(name));
        var result = new Pretrainer(config, run).Run(false);
        result.Encoder.Dispose();
        return (Weights(result.CheckpointDir!, config), config);
    }

    [Fact]
    public void A_run_directory_or_its_checkpoint_folder_gives_all_its_weights()
    {
        using var source = new TinyTrainedRun();
        var config = source.Run.ReadConfig();
        var trained = Weights(Checkpoint.Latest(source.Run)!, config);
        foreach (var init in new[] { source.Run.Path, Checkpoint.Latest(source.Run)! })
        {
            var (started, _) = StartFrom(source, $"from-{Path.GetFileName(init)}", init);
            Assert.All(trained, kv => Assert.Equal(kv.Value, started[kv.Key]));
        }
        var fresh = StartFrom(source, "random", init: null!);
        Assert.NotEqual(trained["backbone.conv1.weight"], fresh.Weights["backbone.conv1.weight"]);
    }

    [Fact]
    public void An_exported_backbone_file_gives_the_backbone_and_leaves_the_projector_initialised()
    {
        using var source = new TinyTrainedRun();
        var config = source.Run.ReadConfig();
        var trained = Weights(Checkpoint.Latest(source.Run)!, config);
        string file = source.Dir.File("backbone.pt");
        WeightExport.Export(source.Run, file, null, "backbone");
        var (started, _) = StartFrom(source, "from-file", file);
        Assert.All(trained.Where(kv => kv.Key.StartsWith("backbone.")), kv => Assert.Equal(kv.Value, started[kv.Key]));
        Assert.NotEqual(trained["projector.layers.0.weight"], started["projector.layers.0.weight"]);
    }

    [Fact]
    public void A_missing_source_says_what_to_pass()
    {
        using var encoder = new Encoder(new TrainConfig { Width = 8, ProjDim = 16 }.EncoderFor(1));
        var e = Assert.Throws<SelfSupError>(() => WeightImport.InitFrom(encoder, "/nonexistent/run"));
        Assert.Contains("`init`", e.Message);
    }
}
