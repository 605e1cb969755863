using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

/// <summary>What an encoder is built from; saved with every run so checkpoints can be rebuilt.</summary>
public sealed record EncoderConfig(
    string Model = "resnet18",
    int InChannels = 1,
    int Width = 16,
    bool ImagenetStem = false,
    int ProjDim = 64,
    int ProjLayers = 2,
    int? ProjHidden = null);

/// <summary>
/// Backbone f plus projector g: z = g(f(x)). The loss sees z; the linear readout sees f(x)
/// (the projector is dropped after pretraining). Names: <c>backbone.*</c>, <c>projector.*</c>.
/// </summary>
public sealed class Encoder : Module<Tensor, Tensor>
{
    private readonly ResNet backbone;
    private readonly Projector projector;

    public EncoderConfig Config { get; }
    public int FeatureDim => backbone.FeatureDim;
    public ResNet Backbone => backbone;

    public Encoder(EncoderConfig config) : base(nameof(Encoder))
    {
        Config = config;
        backbone = new ResNet(config.Model, config.InChannels, config.Width, config.ImagenetStem);
        projector = new Projector(backbone.FeatureDim, config.ProjDim, config.ProjLayers, config.ProjHidden);
        RegisterComponents();
    }

    /// <summary>Embeddings z = g(f(x)) for a batch of images B×C×H×W → B×d.</summary>
    public override Tensor forward(Tensor x)
    {
        using var features = backbone.forward(x);
        return projector.forward(features);
    }

    /// <summary>Backbone features f(x), B×C×H×W → B×F (what the linear probe reads).</summary>
    public Tensor Features(Tensor x) => backbone.forward(x);
}
