using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

/// <summary>
/// The projector g that maps backbone features to the embedding the SSL loss sees:
/// Linear(feat → h, no bias) → BatchNorm1d → ReLU → … → Linear(h → d).
/// <c>layers</c> counts the Linear layers (default 2, the paper's); hidden width h defaults to d.
/// Submodule names are <c>0</c>, <c>1</c>, … as in a PyTorch <c>nn.Sequential</c>.
/// </summary>
public sealed class Projector : Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public int OutputDim { get; }

    /// <summary>The projector's rules: an output size d, a layer count and a hidden width of at least 1.</summary>
    /// <exception cref="SelfSupError">A size is below 1; the message names the setting.</exception>
    public static void Check(int projDim, int layerCount, int? hiddenDim)
    {
        if (projDim < 1) throw new SelfSupError($"`proj_dim` {projDim} must be a positive embedding size, e.g. 64 or 2048");
        if (layerCount < 1) throw new SelfSupError($"`proj_layers` {layerCount} must be at least 1");
        if (hiddenDim < 1) throw new SelfSupError($"`proj_hidden` {hiddenDim} must be positive (or unset: the output size)");
    }

    public Projector(int featureDim, int projDim, int layerCount = 2, int? hiddenDim = null) : base(nameof(Projector))
    {
        Check(projDim, layerCount, hiddenDim);
        int hidden = hiddenDim ?? projDim;
        layers = Sequential();
        long inDim = featureDim;
        for (int i = 0; i < layerCount - 1; i++)
        {
            layers.append(Linear(inDim, hidden, hasBias: false));
            layers.append(BatchNorm1d(hidden));
            layers.append(ReLU(inplace: true));
            inDim = hidden;
        }
        layers.append(Linear(inDim, projDim));
        OutputDim = projDim;
        register_module("layers", layers);
    }

    public override Tensor forward(Tensor x) => SyncBatchNorm.Forward(layers, x);
}
