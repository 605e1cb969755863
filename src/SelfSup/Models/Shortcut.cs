using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

/// <summary>
/// The residual connection of a ResNet block (torchvision's): the input itself, or — when the block changes the
/// resolution or the channel count — a projection by a strided 1×1 convolution and BatchNorm (named <c>downsample</c>).
/// </summary>
internal static class Shortcut
{
    /// <summary>The projection a block from <paramref name="inChannels"/> to <paramref name="outChannels"/> at <paramref name="stride"/> needs; null for the identity.</summary>
    public static Sequential? Projection(long inChannels, long outChannels, long stride) =>
        stride != 1 || inChannels != outChannels
            ? Sequential(new Conv2dLayer(inChannels, outChannels, 1, stride: stride), BatchNorm2d(outChannels))
            : null;

    /// <summary><c>relu(residual + shortcut(x))</c>, in place on <paramref name="residual"/>.</summary>
    public static Tensor AddAndActivate(Tensor residual, Tensor x, Sequential? projection)
    {
        using var shortcut = projection is null ? x.alias() : SyncBatchNorm.Forward(projection, x);
        return residual.add_(shortcut).relu_();
    }
}
