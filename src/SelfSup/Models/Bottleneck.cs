using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

/// <summary>
/// ResNet bottleneck block (ResNet-50): 1×1 reduce, 3×3, 1×1 expand (×4), plus shortcut.
/// Stride sits on the 3×3 convolution as in torchvision.
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    public const int Expansion = 4;
    private readonly Conv2dLayer conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2dLayer conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2dLayer conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    public Bottleneck(long inChannels, long channels, long stride) : base(nameof(Bottleneck))
    {
        long outChannels = channels * Expansion;
        conv1 = new Conv2dLayer(inChannels, channels, 1);
        bn1 = BatchNorm2d(channels);
        conv2 = new Conv2dLayer(channels, channels, 3, stride: stride, padding: 1);
        bn2 = BatchNorm2d(channels);
        conv3 = new Conv2dLayer(channels, outChannels, 1);
        bn3 = BatchNorm2d(outChannels);
        downsample = Shortcut.Projection(inChannels, outChannels, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var a = SyncBatchNorm.Forward(bn1, conv1.forward(x)).relu_();
        using var b = SyncBatchNorm.Forward(bn2, conv2.forward(a)).relu_();
        return Shortcut.AddAndActivate(SyncBatchNorm.Forward(bn3, conv3.forward(b)), x, downsample);
    }
}
