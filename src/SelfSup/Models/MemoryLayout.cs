using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Models;

/// <summary>
/// Channels-last (NHWC) memory layout without a memory-format argument (TorchSharp 0.107 has none):
/// a 4-D tensor whose strides are those of permute(0,2,3,1).contiguous().permute(0,3,1,2) is treated by
/// libtorch as channels-last, and its CPU convolutions then take the faster NHWC (oneDNN) path.
/// </summary>
public static class MemoryLayout
{
    /// <summary>The same values as <paramref name="x"/> (N×C×H×W) laid out channels-last.</summary>
    public static Tensor ChannelsLast(Tensor x) =>
        x.dim() == 4 ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x.alias();

    /// <summary>Re-lays every 4-D parameter (convolution kernels) of <paramref name="module"/> channels-last, in place.</summary>
    public static void ToChannelsLast(nn.Module module)
    {
        using var _ = torch.no_grad();
        foreach (var p in module.parameters())
        {
            if (p.dim() != 4) continue;
            using var cl = ChannelsLast(p);
            p.set_(cl);
        }
    }
}
