using SelfSup.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Models;

public sealed class EncoderTests
{
    [Theory]
    [InlineData("resnet18", 16, 128)]
    [InlineData("resnet18", 64, 512)]
    [InlineData("resnet34", 8, 64)]
    [InlineData("resnet50", 8, 256)]
    public void FeatureDimensionIsEightOrThirtyTwoTimesWidth(string model, int width, int expected)
    {
        using var net = new ResNet(model, 3, width);
        Assert.Equal(expected, net.FeatureDim);
        using var scope = torch.NewDisposeScope();
        net.eval();
        Assert.Equal([2L, expected], net.forward(torch.randn(2, 3, 32, 32)).shape);
    }

    [Fact]
    public void ParameterNamesFollowTorchvision()
    {
        using var net = new ResNet("resnet18", 1, 8);
        var names = net.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var name in new[] { "conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
                     "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight", "layer4.1.conv2.weight" })
            Assert.Contains(name, names);
        Assert.DoesNotContain("layer1.0.downsample.0.weight", names);
        Assert.Equal([8L, 1, 3, 3], net.named_parameters().First(p => p.name == "conv1.weight").parameter.shape);
    }

    [Fact]
    public void ProjectorIsLinearBatchNormReluLinear()
    {
        using var encoder = new Encoder(new EncoderConfig("resnet18", 1, 8, ProjDim: 32));
        var p = encoder.named_parameters().Where(x => x.name.StartsWith("projector.")).ToDictionary(x => x.name, x => x.parameter.shape);
        Assert.Equal([32L, 64], p["projector.layers.0.weight"]);   // width 8: 8 × 8 backbone features
        Assert.False(p.ContainsKey("projector.layers.0.bias"));
        Assert.Equal([32L], p["projector.layers.1.weight"]);
        Assert.Equal([32L, 32], p["projector.layers.3.weight"]);
        Assert.Equal([32L], p["projector.layers.3.bias"]);
        using var scope = torch.NewDisposeScope();
        Assert.Equal([6L, 32], encoder.forward(torch.randn(6, 1, 28, 28)).shape);
    }

    [Fact]
    public void ChannelsLastInputGivesTheSameOutputsAndTheModelSavesLoadably()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var a = new Encoder(new EncoderConfig("resnet18", 1, 16, ProjDim: 16));
        a.eval();
        var x = torch.randn(4, 1, 28, 28);
        var reference = a.forward(x);
        Assert.True(MemoryLayout.UseChannelsLast(a));
        Assert.True(MemoryLayout.IsChannelsLast(MemoryLayout.ChannelsLast(torch.randn(2, 3, 5, 5))));
        Assert.False(MemoryLayout.IsChannelsLast(torch.randn(2, 3, 5, 5)));
        var channelsLast = a.forward(MemoryLayout.ChannelsLast(x));
        Assert.True(torch.allclose(reference, channelsLast, rtol: 1e-4, atol: 1e-5));

        using var dir = new TempDir();
        a.save(dir.File("m.bin"));
        torch.manual_seed(6);
        using var b = new Encoder(new EncoderConfig("resnet18", 1, 16, ProjDim: 16));
        b.load(dir.File("m.bin"));
        b.eval();
        Assert.True(torch.allclose(reference, b.forward(x), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void One_channel_images_and_kernels_get_NHWC_strides_so_the_stem_runs_channels_last()
    {
        // permute/contiguous/permute leaves a one-channel tensor with NCHW strides, and libtorch then ran the stem
        // (Fashion-MNIST's 1-channel images, its 16×1×3×3 kernel) NCHW; measured: the width-16 bf16 step 1,667 → 1,765
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 1, 6, 5);
        var nhwc = MemoryLayout.ChannelsLast(x);
        Assert.Equal([30L, 1, 5, 1], nhwc.stride());
        Assert.True(torch.allclose(x, nhwc, rtol: 0, atol: 0));
        Assert.True(MemoryLayout.IsChannelsLast(nhwc));

        using var stem = new Conv2dLayer(1, 16, 3, padding: 1) { ChannelsLast = true };
        var y = stem.forward(nhwc);
        Assert.True(MemoryLayout.IsChannelsLast(y), $"stem output strides [{string.Join(",", y.stride())}]");
        var expected = nn.functional.conv2d(x.to(float64), stem.Weight.detach().to(float64), padding: [1, 1]);
        Assert.True(torch.allclose(expected, y.to(float64), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void ChannelsLastIsRefusedForConvolutionsNarrowerThanSixteen()
    {
        using var narrow = new Encoder(new EncoderConfig("resnet18", 1, 8, ProjDim: 8));
        using var wide = new Encoder(new EncoderConfig("resnet18", 1, 16, ProjDim: 8));
        Assert.False(MemoryLayout.UseChannelsLast(narrow));
        Assert.True(MemoryLayout.UseChannelsLast(wide));
        Assert.False(MemoryLayout.UseChannelsLast(wide, on: false));
    }

    [Fact]
    public void BadSettingsAreClearErrors()
    {
        Assert.Contains("`model`", Assert.Throws<SelfSupError>(() => new ResNet("vgg", 3)).Message);
        Assert.Contains("`proj_dim`", Assert.Throws<SelfSupError>(() => new Projector(8, 0)).Message);
        Assert.Contains("`width`", Assert.Throws<SelfSupError>(() => new ResNet("resnet18", 3, 0)).Message);
    }
}
