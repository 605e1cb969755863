using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Data;

/// <summary>
/// A labelled (or unlabelled) split of images held in memory as one uint8 tensor
/// of shape N×C×H×W, with one integer label per image (−1 where there are none).
/// Batches are gathered with <see cref="Gather"/>; augmentation happens later, in <c>Views</c>.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>uint8 images, N×C×H×W, on the CPU.</summary>
    public Tensor Images { get; }

    /// <summary>Class index per image; −1 for unlabelled images.</summary>
    public int[] Labels { get; }

    /// <summary>Source name, e.g. "fashion-mnist".</summary>
    public string Name { get; }

    /// <summary>Split name, e.g. "train" or "test".</summary>
    public string Split { get; }

    /// <summary>Number of classes (0 when unlabelled).</summary>
    public int ClassCount { get; }

    public int Count => Labels.Length;
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];

    public ImageDataset(string name, string split, Tensor images, int[] labels, int classCount)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4)
            throw new ArgumentException($"images must be uint8 N×C×H×W, got {images.dtype} with shape [{string.Join(",", images.shape)}]");
        if (images.shape[0] != labels.Length)
            throw new ArgumentException($"{images.shape[0]} images but {labels.Length} labels");
        Name = name; Split = split; Images = images; Labels = labels; ClassCount = classCount;
    }

    /// <summary>The images at <paramref name="indices"/> as a new uint8 tensor n×C×H×W.</summary>
    public Tensor Gather(ReadOnlySpan<int> indices)
    {
        using var index = torch.tensor(indices.ToArray().Select(i => (long)i).ToArray(), ScalarType.Int64);
        return Images.index_select(0, index);
    }

    /// <summary>Labels at <paramref name="indices"/> as an int64 tensor.</summary>
    public Tensor GatherLabels(ReadOnlySpan<int> indices)
    {
        var labels = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++) labels[i] = Labels[indices[i]];
        return torch.tensor(labels, ScalarType.Int64);
    }

    /// <summary>A dataset holding only the images at <paramref name="indices"/> (copied).</summary>
    public ImageDataset Subset(int[] indices)
    {
        var labels = indices.Select(i => Labels[i]).ToArray();
        return new ImageDataset(Name, Split, Gather(indices), labels, ClassCount);
    }

    public void Dispose() => Images.Dispose();
}
