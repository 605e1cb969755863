using SelfSup.Data;
using SelfSup.Models;
using SelfSup.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Evaluation;

/// <summary>
/// <c>selfsup embed</c>'s arithmetic: backbone features f(x) (N×F) or projector embeddings g(f(x)) (N×d), float32 on
/// the CPU, of a dataset split (the clean, normalised images <see cref="FeatureExtractor"/> gives the probe) or of
/// arbitrary images given as N×C×H×W floats in [0, 1], normalised with the run's preset as in training.
/// </summary>
public static class Embeddings
{
    /// <summary>Features (or embeddings with <paramref name="projector"/>) of every image of <paramref name="data"/>.</summary>
    public static Tensor OfSplit(Encoder encoder, ImageDataset data, AugmentationPreset preset, Device device, bool projector,
        int batchSize = 512, Action<int, int>? onBatch = null)
    {
        var features = FeatureExtractor.Extract(encoder, data, preset, device, batchSize, onBatch: onBatch);
        if (!projector) return features;
        using (features) return Project(encoder, features, device, batchSize);
    }

    /// <summary>Features (or embeddings) of <paramref name="images"/>, N×C×H×W float in [0, 1] (from <paramref name="source"/>, named in errors).</summary>
    public static Tensor OfImages(Encoder encoder, Tensor images, AugmentationPreset preset, Device device, bool projector, string source, int batchSize = 512)
    {
        if (images.dim() != 4 || images.shape[1] != preset.Channels)
            throw new SelfSupError($"'{source}' has shape [{string.Join(", ", images.shape)}]; it must be N×C×H×W with C = {preset.Channels} (the run's images), float32 in [0, 1]");
        if (images.numel() > 0 && OutsideUnitRange(images))
            throw new SelfSupError($"'{source}' has values outside [0, 1]; pass images scaled to [0, 1] (SelfSup normalises them with the run's mean and std itself)");
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            return InBatches(images.shape[0], batchSize, projector ? encoder.Config.ProjDim : encoder.FeatureDim, (start, count) =>
            {
                var x = ViewSampler.Normalise(images.narrow(0, start, count).to(float32), preset).to(device);
                var f = encoder.Features(x);
                return projector ? encoder.Project(f) : f;
            });
        }
        finally
        {
            if (wasTraining) encoder.train();
        }
    }

    private static bool OutsideUnitRange(Tensor images)
    {
        using var min = images.min();
        using var max = images.max();
        return min.ToDouble() < 0 || max.ToDouble() > 1;
    }

    private static Tensor Project(Encoder encoder, Tensor features, Device device, int batchSize) =>
        InBatches(features.shape[0], batchSize, encoder.Config.ProjDim, (start, count) => encoder.Project(features.narrow(0, start, count).to(device)));

    /// <summary>
    /// <paramref name="batch"/>(start, count) over rows [0, <paramref name="rows"/>) in pieces of <paramref name="batchSize"/>,
    /// without gradients, each piece's result moved to the CPU and all concatenated (0 × <paramref name="width"/> for no rows).
    /// </summary>
    private static Tensor InBatches(long rows, int batchSize, long width, Func<long, long, Tensor> batch)
    {
        using var _ = torch.no_grad();
        var chunks = new List<Tensor>();
        try
        {
            for (long start = 0; start < rows; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                chunks.Add(batch(start, Math.Min(batchSize, rows - start)).cpu().MoveToOuterDisposeScope());
            }
            return chunks.Count == 0 ? torch.empty(0, width) : torch.cat(chunks, 0);
        }
        finally { foreach (var c in chunks) c.Dispose(); }
    }
}
