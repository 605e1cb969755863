using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

/// <summary>
/// ResNet backbone returning the global-average-pooled feature vector (no classifier head).
/// The CIFAR variant (the authors' choice for every dataset) uses a 3×3 stride-1 stem and no max-pool;
/// the ImageNet stem (7×7 stride 2 + 3×3 max-pool) is an option. <c>width</c> is the channel count of
/// the first stage (64 in the standard model); stages have width·(1, 2, 4, 8) channels, so the feature
/// is 8·width (basic blocks) or 32·width (bottlenecks): 512 for ResNet-18 at width 64, 2048 for ResNet-50.
/// Parameter names follow torchvision: <c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>, ….
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>
{
    public static readonly string[] Architectures = ["resnet18", "resnet34", "resnet50"];

    private readonly Conv2dLayer conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d? maxpool;
    private readonly Sequential layer1, layer2, layer3, layer4;

    /// <summary>Length of the feature vector this backbone outputs.</summary>
    public int FeatureDim { get; }

    /// <summary>The backbone's rules: a known architecture, and positive channel counts. Returns its blocks per stage.</summary>
    /// <exception cref="SelfSupError">A setting is out of range; the message names it.</exception>
    public static (int[] Blocks, bool Bottleneck) Check(string architecture, int inChannels, int width)
    {
        if (width < 1) throw new SelfSupError($"`width` {width} must be a positive channel count (64 is the standard ResNet)");
        if (inChannels < 1) throw new SelfSupError($"input channels {inChannels} must be positive");
        return architecture switch
        {
            "resnet18" => ([2, 2, 2, 2], false),
            "resnet34" => ([3, 4, 6, 3], false),
            "resnet50" => ([3, 4, 6, 3], true),
            _ => throw new SelfSupError($"unknown `model` '{architecture}'; use one of: {string.Join(", ", Architectures)}"),
        };
    }

    public ResNet(string architecture, int inChannels, int width = 64, bool imagenetStem = false) : base(nameof(ResNet))
    {
        var (blocks, bottleneck) = Check(architecture, inChannels, width);
        conv1 = imagenetStem
            ? new Conv2dLayer(inChannels, width, 7, stride: 2, padding: 3)
            : new Conv2dLayer(inChannels, width, 3, stride: 1, padding: 1);
        bn1 = BatchNorm2d(width);
        if (imagenetStem) maxpool = MaxPool2d(3, stride: 2, padding: 1);

        long inPlanes = width;
        Sequential Stage(int stage, long planes, int count, long stride)
        {
            var seq = Sequential();
            for (int i = 0; i < count; i++)
            {
                long s = i == 0 ? stride : 1;
                Module<Tensor, Tensor> block = bottleneck ? new Bottleneck(inPlanes, planes, s) : new BasicBlock(inPlanes, planes, s);
                seq.append(i.ToString(), block);
                inPlanes = planes * (bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion);
            }
            return seq;
        }
        layer1 = Stage(1, width, blocks[0], 1);
        layer2 = Stage(2, width * 2, blocks[1], 2);
        layer3 = Stage(3, width * 4, blocks[2], 2);
        layer4 = Stage(4, width * 8, blocks[3], 2);
        FeatureDim = (int)inPlanes;
        RegisterComponents();
        InitialiseWeights();
    }

    /// <summary>BatchNorm weight 1, bias 0 (convolutions are Kaiming-normal, fan-out, in <see cref="Conv2dLayer"/>) — torchvision's init.</summary>
    private void InitialiseWeights()
    {
        using var _ = torch.no_grad();
        foreach (var (_, module) in named_modules())
            if (module is BatchNorm2d bn) { bn.weight!.fill_(1); bn.bias!.zero_(); }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = SyncBatchNorm.Forward(bn1, conv1.forward(x)).relu_();
        if (maxpool is not null) h = maxpool.forward(h);
        h = layer4.forward(layer3.forward(layer2.forward(layer1.forward(h))));
        return h.mean([2L, 3L]).MoveToOuterDisposeScope();
    }
}
