using SelfSup.Training;
using static TorchSharp.torch;

namespace SelfSup.Interop;

/// <summary>
/// <c>selfsup export</c>: writes a run's checkpoint as a PyTorch (<c>.pt</c>) or safetensors file with torchvision's
/// tensor names (<see cref="TorchvisionNames"/>), parameters and buffers (BatchNorm running statistics and
/// <c>num_batches_tracked</c>), or as an ONNX inference graph (<c>.onnx</c>, <see cref="OnnxExport"/>), plus the sidecar <c>FILE.json</c> (<see cref="ExportCard"/>).
/// </summary>
public static class WeightExport
{
    public static readonly string[] Parts = ["backbone", "encoder"];

    /// <summary>Exports <paramref name="what"/> (backbone, or encoder = backbone + projector) of the run's checkpoint to <paramref name="outPath"/>.</summary>
    /// <returns>The sidecar written beside the weights.</returns>
    public static ExportCard Export(RunDirectory run, string outPath, string? format, string what, string? checkpoint = null)
    {
        if (!Parts.Contains(what)) throw new SelfSupError($"unknown `what` '{what}'; use backbone (the ResNet) or encoder (ResNet + projector)");
        bool onnx = OnnxExport.IsOnnx(outPath, format);
        format = onnx ? "onnx" : WeightsFile.FormatOf(outPath, format);
        using var loaded = RunEncoder.Load(run, checkpoint);
        if (onnx)
        {
            var preset = loaded.Config.ResolveAugmentation();
            OnnxExport.Write(loaded.Encoder, what, [preset.Channels, preset.CropSize, preset.CropSize], outPath);
        }
        else
        {
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (name, tensor) in loaded.Encoder.state_dict())
                if (TorchvisionNames.Exported(name, what) is { } exported) tensors[exported] = tensor;
            WeightsFile.Write(outPath, format, tensors);
        }

        var card = Describe(loaded, run, what, format, Path.GetFileName(outPath));
        RunDirectory.WriteAtomic(ExportCard.PathFor(Path.GetFullPath(outPath)), card.ToJson());
        return card;
    }

    private static ExportCard Describe(RunEncoder loaded, RunDirectory run, string what, string format, string weights)
    {
        var config = loaded.Config;
        var preset = config.ResolveAugmentation();
        var encoder = loaded.Encoder.Config;
        int hidden = encoder.ProjHidden ?? encoder.ProjDim;
        var dims = new List<int> { loaded.Encoder.FeatureDim };
        for (int i = 0; i < encoder.ProjLayers - 1; i++) dims.Add(hidden);
        dims.Add(encoder.ProjDim);
        return new ExportCard
        {
            Weights = weights, TensorFormat = format, What = what,
            Architecture = new ExportArchitecture(encoder.Model, encoder.Width, encoder.InChannels,
                encoder.ImagenetStem ? "imagenet" : "cifar", loaded.Encoder.FeatureDim, [.. dims]),
            InputSize = [preset.Channels, preset.CropSize, preset.CropSize],
            Normalize = new ExportNormalize(preset.Mean, preset.Std),
            Checkpoint = Path.GetRelativePath(run.Path, loaded.Checkpoint),
            Step = Checkpoint.ReadState(loaded.Checkpoint).Step,
            TrainConfig = config,
            Naming = format == "onnx" ? "onnx: input 'input' (batch×C×H×W, normalised), outputs 'features' and, for encoder, 'embeddings'" : "torchvision",
        };
    }
}
