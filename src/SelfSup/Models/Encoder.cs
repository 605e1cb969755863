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

    /// <summary>
    /// Arithmetic of <see cref="forward"/> and <see cref="Features"/>: under <see cref="Precision.Bf16"/> both run inside
    /// an <see cref="Autocast"/> scope on the calling thread and return fp32, so the loss and the probe always see fp32.
    /// Not saved in checkpoints: the weights are fp32 either way.
    /// </summary>
    public Precision Precision { get; set; } = Precision.Fp32;
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
    public override Tensor forward(Tensor x) => InPrecision(x, input =>
    {
        using var features = backbone.forward(input);
        return projector.forward(features);
    });

    /// <summary>Backbone features f(x), B×C×H×W → B×F (what the linear probe reads).</summary>
    public Tensor Features(Tensor x) => InPrecision(x, backbone.forward);

    /// <summary>Projector embeddings g(h) of backbone features, B×F → B×d.</summary>
    public Tensor Project(Tensor features) => InPrecision(features, projector.forward);

    /// <summary>Runs <paramref name="net"/> under <see cref="Precision"/> and hands back its output as fp32.</summary>
    private Tensor InPrecision(Tensor x, Func<Tensor, Tensor> net)
    {
        if (Precision != Precision.Bf16) return net(x);   // fp32, or fp64 with fp64 weights
        Tensor y;
        using (Autocast.Enter(Precision, x.device_type)) y = net(x);
        if (y.dtype == ScalarType.Float32) return y;
        using (y) return y.to(ScalarType.Float32);
    }
}
