using SelfSup.Native;
using SelfSup.Data;
using SelfSup.Models;
using SelfSup.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Evaluation;

/// <summary>
/// Computes frozen features once for a whole split: the backbone in eval mode, no gradients, no projector, in the
/// encoder's <see cref="Encoder.Precision"/> (features come out fp32 either way).
/// With <c>averageViews</c> = K &gt; 1 each image's feature is the mean over 1 clean + (K−1) augmented views,
/// as the authors do for multi-view runs (K = 16), train and test alike.
/// </summary>
public static class FeatureExtractor
{
    /// <summary>Backbone features, float32 N×F on the CPU.</summary>
    public static Tensor Extract(Encoder encoder, ImageDataset data, AugmentationPreset preset,
        Device device, int batchSize = 512, int averageViews = 1, long seed = 0, Action<int, int>? onBatch = null)
    {
        if (averageViews < 1) throw new SelfSupError($"`average_views` {averageViews} must be at least 1 (16 = the authors' multi-view readout)");
        bool wasTraining = encoder.training;
        encoder.eval();
        var clean = new ViewSampler(preset, 2);
        var augmented = averageViews > 1 ? new ViewSampler(preset, Math.Max(2, averageViews - 1)) : null;
        using var generator = new torch.Generator((ulong)seed);
        var chunks = new List<Tensor>();
        int batches = (data.Count + batchSize - 1) / batchSize;
        try
        {
            using var _ = torch.no_grad();
            for (int b = 0; b < batches; b++)
            {
                NativeCallGate.SafePoint();
                using var scope = torch.NewDisposeScope();
                int start = b * batchSize, count = Math.Min(batchSize, data.Count - start);
                var images = DeviceCopy.Of(data.Images.narrow(0, start, count), device);   // views are drawn on the device
                var features = encoder.Features(clean.Clean(images)).cpu();
                if (augmented is not null)
                {
                    var views = augmented.Sample(images, generator);                 // n×(K−1)×C×S×S
                    long k = averageViews - 1;
                    var flat = views.narrow(1, 0, k).reshape(count * k, views.shape[2], views.shape[3], views.shape[4]);
                    var viewFeatures = encoder.Features(flat).cpu().reshape(count, k, -1);
                    features = (features + viewFeatures.sum(1)) / averageViews;
                }
                chunks.Add(features.MoveToOuterDisposeScope());
                onBatch?.Invoke(b + 1, batches);
            }
            return torch.cat(chunks, 0);
        }
        finally
        {
            foreach (var c in chunks) c.Dispose();
            if (wasTraining) encoder.train();
        }
    }

    /// <summary>Raw-pixel features (the normalised clean image, flattened): the "no learning" baseline.</summary>
    public static Tensor Pixels(ImageDataset data, AugmentationPreset preset, int batchSize = 2048)
    {
        var clean = new ViewSampler(preset, 2);
        var chunks = new List<Tensor>();
        try
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                NativeCallGate.SafePoint();
                using var scope = torch.NewDisposeScope();
                int count = Math.Min(batchSize, data.Count - start);
                chunks.Add(clean.Clean(data.Images.narrow(0, start, count)).reshape(count, -1).MoveToOuterDisposeScope());
            }
            return torch.cat(chunks, 0);
        }
        finally { foreach (var c in chunks) c.Dispose(); }
    }
}
