using SelfSup.Interop;
using SelfSup.Models;
using Xunit;

namespace SelfSup.Tests.Interop;

/// <summary>The exported names are torchvision's ResNet names (parameters and buffers) and an nn.Sequential projector's.</summary>
public sealed class TorchvisionNamingTests
{
    private static Dictionary<string, long[]> Exported(Encoder encoder, string what) => encoder.state_dict()
        .Select(kv => (Name: TorchvisionNames.Exported(kv.Key, what), Shape: kv.Value.shape))
        .Where(e => e.Name is not null).ToDictionary(e => e.Name!, e => e.Shape);

    [Fact]
    public void The_exported_backbone_has_exactly_the_names_and_shapes_of_torchvisions_cifar_stem_resnet18()
    {
        using var encoder = new Encoder(new EncoderConfig("resnet18", InChannels: 1, Width: 8, ProjDim: 16));
        var exported = Exported(encoder, "backbone");
        var expected = TorchvisionResNet18Names.Shapes();
        Assert.Equal(expected.Keys.Order(), exported.Keys.Order());
        foreach (var (name, shape) in expected) Assert.True(shape.SequenceEqual(exported[name]), $"{name}: [{string.Join(",", exported[name])}] vs torchvision [{string.Join(",", shape)}]");
    }

    [Fact]
    public void The_encoder_export_adds_the_projector_named_like_an_nn_Sequential()
    {
        using var encoder = new Encoder(new EncoderConfig("resnet18", InChannels: 1, Width: 8, ProjDim: 16, ProjHidden: 32));
        var projector = Exported(encoder, "encoder").Where(kv => kv.Key.StartsWith("projector.")).ToDictionary();
        string[] expected = ["projector.0.weight", "projector.1.weight", "projector.1.bias", "projector.1.running_mean", "projector.1.running_var",
            "projector.1.num_batches_tracked", "projector.3.weight", "projector.3.bias"];
        Assert.Equal(expected.Order(), projector.Keys.Order());
        Assert.Equal([32L, 64L], projector["projector.0.weight"]);
        Assert.Equal([16L, 32L], projector["projector.3.weight"]);
        Assert.DoesNotContain(Exported(encoder, "backbone").Keys, k => k.StartsWith("projector."));
    }

    [Theory]
    [InlineData("resnet34")]
    [InlineData("resnet50")]
    public void Deeper_models_have_torchvisions_block_and_downsample_names_and_map_back(string model)
    {
        using var encoder = new Encoder(new EncoderConfig(model, InChannels: 3, Width: 8, ProjDim: 16));
        var exported = Exported(encoder, "encoder");
        int layer3Blocks = exported.Keys.Where(k => k.StartsWith("layer3.")).Select(k => k.Split('.')[1]).Distinct().Count();
        Assert.Equal(6, layer3Blocks);
        Assert.Contains("layer2.0.downsample.0.weight", exported.Keys);
        Assert.Contains("layer4.1.bn2.num_batches_tracked", exported.Keys);
        Assert.Equal(model == "resnet50", exported.ContainsKey("layer1.0.conv3.weight"));
        Assert.Equal(model == "resnet50", exported.ContainsKey("layer1.0.downsample.1.running_var")); // bottleneck expands ×4 at once
        foreach (var name in exported.Keys) Assert.Contains(TorchvisionNames.EncoderName(name), encoder.state_dict().Keys);
    }
}
