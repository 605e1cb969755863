using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

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
    /// Arithmetic of the backbone: under <see cref="Precision.Bf16"/> <see cref="Features"/> runs inside an
    /// <see cref="Autocast"/> scope on the calling thread and returns fp32. The projector always runs in fp32 on those
    /// fp32 features, so the loss sees embeddings no bf16 layer rounded: with the projector under autocast too, bf16 cost
    /// probe accuracy on average, and in fp32 it does not (the seeds are in the README, "Mixed precision"). The projector
    /// is about 1 % of the bench step's arithmetic (d = 2048).
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

    /// <summary>Embeddings z = g(f(x)) for a batch of images B×C×H×W → B×d: f in <see cref="Precision"/>, g in fp32.</summary>
    public override Tensor forward(Tensor x)
    {
        using var features = Features(x);
        return projector.forward(features);
    }

    /// <summary>
    /// Embeddings of full-size views and, with multi-crop, small crops: the backbone once per resolution (B×C×S×S and
    /// B'×C×s×s), the projector once over both; (B + B')×d, the full views' rows first.
    /// </summary>
    public Tensor Forward(Tensor full, Tensor? small)
    {
        if (small is null) return forward(full);
        using var fullFeatures = Features(full);
        using var smallFeatures = Features(small);
        using var features = torch.cat([fullFeatures, smallFeatures], 0);
        return projector.forward(features);
    }

    /// <summary>
    /// Backbone features f(x), B×C×H×W → B×F (what the linear probe reads), computed under <see cref="Precision"/> and
    /// handed back as fp32 under bf16.
    /// </summary>
    public Tensor Features(Tensor x)
    {
        if (Precision != Precision.Bf16) return backbone.forward(x);   // fp32, or fp64 with fp64 weights
        Tensor y;
        using (Autocast.Enter(Precision, x.device_type)) y = backbone.forward(x);
        if (y.dtype == ScalarType.Float32) return y;
        using (y) return y.to(ScalarType.Float32);
    }

    /// <summary>Projector embeddings g(h) of backbone features, B×F → B×d, in the features' type (fp32 under bf16 too).</summary>
    public Tensor Project(Tensor features) => projector.forward(features);
}
