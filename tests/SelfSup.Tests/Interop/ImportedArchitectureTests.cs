using SelfSup.Interop;
using SelfSup.Models;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Interop;

/// <summary>The architecture import reads from the tensors' names and shapes is the one that wrote them.</summary>
public sealed class ImportedArchitectureTests
{
    private static Dictionary<string, Tensor> Exported(Encoder encoder, string what) => encoder.state_dict()
        .Select(kv => (Name: TorchvisionNames.Exported(kv.Key, what), kv.Value))
        .Where(e => e.Name is not null).ToDictionary(e => e.Name!, e => e.Value);

    [Theory]
    [InlineData("resnet18", 8, 1, false)]
    [InlineData("resnet34", 12, 3, false)]
    [InlineData("resnet50", 8, 3, true)]
    public void Depth_width_channels_and_stem_come_from_the_tensors(string model, int width, int channels, bool imagenetStem)
    {
        using var encoder = new Encoder(new EncoderConfig(model, channels, width, imagenetStem, ProjDim: 16));
        var arch = ImportedArchitecture.Of(Exported(encoder, "backbone"), "file");
        Assert.Equal(new ImportedArchitecture(model, width, channels, imagenetStem, null), arch);
    }

    [Fact]
    public void The_projector_sizes_come_from_its_linear_weights_in_order()
    {
        using var encoder = new Encoder(new EncoderConfig("resnet18", 1, 8, ProjDim: 16, ProjLayers: 3, ProjHidden: 32));
        var arch = ImportedArchitecture.Of(Exported(encoder, "encoder"), "file");
        Assert.Equal([32, 32, 16], arch.ProjectorLinearOut);
    }

    [Fact]
    public void A_state_dict_without_conv1_is_not_a_torchvision_resnet()
    {
        var e = Assert.Throws<SelfSupError>(() => ImportedArchitecture.Of(new Dictionary<string, Tensor> { ["encoder.conv1.weight"] = zeros(8, 1, 3, 3) }, "x.pt"));
        Assert.Contains("'x.pt' has no 4-dimensional 'conv1.weight'", e.Message);
    }
}
