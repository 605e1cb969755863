using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Models;

/// <summary>
/// Channels-last (NHWC) memory layout without a memory-format argument (TorchSharp 0.107 has none):
/// a 4-D tensor whose strides are those of permute(0,2,3,1).contiguous().permute(0,3,1,2) is treated by
/// libtorch as channels-last, and its CPU convolutions then take the faster NHWC (oneDNN) path.
/// Kernels are re-laid per call by <see cref="Conv2dLayer"/>; parameters stay contiguous.
/// </summary>
public static class MemoryLayout
{
    /// <summary>
    /// The same values as <paramref name="x"/> (N×C×H×W) laid out channels-last: strides (H·W·C, 1, W·C, C).
    /// <para>
    /// With one channel, permute/contiguous/permute copies nothing and hands back NCHW strides (H·W, H·W, W, 1): a
    /// size-1 dimension's stride does not count for contiguity. libtorch reads the layout from the strides, so such an
    /// input (Fashion-MNIST's images, the stem's 16×1×3×3 kernel) made the stem convolution, its BatchNorm and ReLU
    /// run NCHW, and the first block then mixed NCHW and NHWC operands (its residual add, and the ReLU and add in the
    /// backward pass, where mixed layouts take a strided loop). One channel therefore gets the NHWC strides set
    /// explicitly; for C = 1 they address the same elements as the contiguous tensor.
    /// </para>
    /// </summary>
    public static Tensor ChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return x.alias();
        if (x.shape[1] != 1) return x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        using var dense = x.contiguous();
        long h = x.shape[2], w = x.shape[3];
        return dense.as_strided(x.shape, [h * w, 1, w, 1], dense.storage_offset());
    }

    /// <summary>True when a 4-D tensor has NHWC strides (for C = 1 such a tensor is also contiguous).</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        var s = x.stride();
        long c = x.shape[1], w = x.shape[3];
        return s[1] == 1 && s[3] == c && s[2] == c * w;
    }

    /// <summary>Smallest number of output channels for which channels-last is used.</summary>
    /// <remarks>
    /// libtorch 2.10's CPU NHWC kernels corrupt the heap with narrower activations (<c>docs/notes/2026-11-26-cpu-runtime-measurements.md#channels-last-only-from-16-channels</c>).
    /// </remarks>
    public const long MinChannelsForChannelsLast = 16;

    /// <summary>
    /// Switches every <see cref="Conv2dLayer"/> in <paramref name="module"/> to (or from) channels-last.
    /// Returns whether channels-last is on (it stays off when a convolution has fewer than
    /// <see cref="MinChannelsForChannelsLast"/> output channels).
    /// </summary>
    public static bool UseChannelsLast(nn.Module module, bool on = true)
    {
        var convs = module.named_modules().Select(m => m.module).OfType<Conv2dLayer>().ToList();
        bool enable = on && convs.All(c => c.Weight.shape[0] >= MinChannelsForChannelsLast);
        foreach (var conv in convs) conv.ChannelsLast = enable;
        return enable;
    }
}
