using SelfSup.Models;
using TorchSharp;

namespace SelfSup.Training;

/// <summary>A run's encoder as one of its checkpoints holds it: the config, the checkpoint folder and the loaded encoder.</summary>
public sealed record RunEncoder(TrainConfig Config, string Checkpoint, Encoder Encoder) : IDisposable
{
    /// <summary>
    /// Loads <paramref name="checkpoint"/> (default: the run's newest usable one, <see cref="Training.Checkpoint.Latest"/>)
    /// into an encoder built from the run's config, on the CPU, in eval mode. The input channels are the run's
    /// augmentation preset's (one per normalisation mean), so the data need not be opened.
    /// </summary>
    /// <exception cref="SelfSupError">Not a run, no usable checkpoint, or a checkpoint that does not fit the config.</exception>
    public static RunEncoder Load(RunDirectory run, string? checkpoint = null)
    {
        var config = run.ReadConfig();
        if (checkpoint is not null && !File.Exists(Path.Combine(checkpoint, "model.bin")))
            throw new SelfSupError($"`checkpoint` '{checkpoint}' has no model.bin; pass a folder like {Path.Combine(run.CheckpointsPath, "epoch-0003")}");
        checkpoint = checkpoint is null ? Training.Checkpoint.Latest(run) : Path.GetFullPath(checkpoint);
        if (checkpoint is null)
            throw new SelfSupError($"run '{run.Path}' has no finished checkpoint yet; finish or resume pretraining first (selfsup pretrain `out` {run.Path} `resume`)");
        TorchSharp.torch.manual_seed(config.Seed);
        var encoder = new Encoder(config.EncoderFor(config.ResolveAugmentation().Channels));
        bool fp64 = config.ResolvePrecision() == Precision.Fp64;   // trained in float64: load as such, read out in fp32
        try
        {
            if (fp64) encoder.to(TorchSharp.torch.ScalarType.Float64);
            Training.Checkpoint.LoadModel(checkpoint, encoder);
            if (fp64) encoder.to(TorchSharp.torch.ScalarType.Float32);
        }
        catch { encoder.Dispose(); throw; }
        encoder.eval();
        return new RunEncoder(config, checkpoint, encoder);
    }

    public void Dispose() => Encoder.Dispose();
}
