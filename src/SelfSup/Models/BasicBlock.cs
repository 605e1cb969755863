using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

/// <summary>
/// ResNet basic block (ResNet-18/34): y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
/// with 3×3 convolutions. Parameter names follow torchvision (<c>conv1</c>, <c>bn1</c>, <c>conv2</c>,
/// <c>bn2</c>, <c>downsample.0</c>, <c>downsample.1</c>).
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    public const int Expansion = 1;
    private readonly Conv2dLayer conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2dLayer conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    public BasicBlock(long inChannels, long channels, long stride) : base(nameof(BasicBlock))
    {
        conv1 = new Conv2dLayer(inChannels, channels, 3, stride: stride, padding: 1);
        bn1 = BatchNorm2d(channels);
        conv2 = new Conv2dLayer(channels, channels, 3, stride: 1, padding: 1);
        bn2 = BatchNorm2d(channels);
        downsample = Shortcut.Projection(inChannels, channels, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var a = conv1.forward(x);
        using var b = SyncBatchNorm.Forward(bn1, a).relu_();
        using var d = conv2.forward(b);
        return Shortcut.AddAndActivate(SyncBatchNorm.Forward(bn2, d), x, downsample);
    }
}
