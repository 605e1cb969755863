using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// The augmentation ops of a preset as one ordered list, the only place their order is written:
/// <c>RandomResizedCrop → HorizontalFlip → ColorJitter → RandomGrayscale → GaussianBlur → Solarize</c>.
/// Each op owns the next <see cref="ViewOp.Draws"/> columns of a view's uniforms (<see cref="ViewDraws"/>), so the
/// columns, and the preset's validation (building the list checks every setting, the normalisation's included), follow from this list.
/// </summary>
public sealed class ViewPipeline
{
    private ViewPipeline(IReadOnlyList<ViewOp> ops) => Ops = ops;

    /// <summary>The ops in the order they run.</summary>
    public IReadOnlyList<ViewOp> Ops { get; }

    /// <summary>Uniforms per view: the sum of the ops' <see cref="ViewOp.Draws"/>.</summary>
    public int DrawsPerView => Ops.Sum(op => op.Draws);

    /// <summary>The ops of <paramref name="preset"/>, in order.</summary>
    /// <exception cref="SelfSupError">A setting of the preset is out of range; the message names the preset and the setting.</exception>
    public static ViewPipeline For(AugmentationPreset preset)
    {
        try
        {
            // the normalisation that follows the ops (ViewSampler.Normalise) is the preset's too
            if (preset.Mean is null || preset.Std is null || preset.Mean.Length != preset.Std.Length || (preset.Mean.Length != 1 && preset.Mean.Length != 3))
                throw new SelfSupError("Mean and Std must both have 1 or 3 entries");
            if (preset.Std.Any(s => !(s > 0))) throw new SelfSupError("every Std entry must be positive");
            return new ViewPipeline([
                new RandomResizedCrop(preset.CropSize, preset.ScaleMin, preset.ScaleMax, preset.RatioMin, preset.RatioMax),
                new HorizontalFlip(preset.FlipProbability),
                new ColorJitter(preset.JitterProbability, preset.Brightness, preset.Contrast, preset.Saturation, preset.Hue),
                new RandomGrayscale(preset.GrayscaleProbability),
                new GaussianBlur(preset.BlurProbability, preset.BlurSigmaMin, preset.BlurSigmaMax, GaussianBlur.KernelSizeFor(preset.CropSize)),
                new Solarize(preset.SolarizeProbability),
            ]);
        }
        catch (SelfSupError e)
        {
            throw new SelfSupError($"Augmentation preset '{preset.Name}': {e.Message}.");
        }
    }

    /// <summary>
    /// Every op's parameters for B views of H×W images, side by side (B×P float64, on the host), from the views'
    /// B×<see cref="DrawsPerView"/> uniforms; the columns of op k follow those of ops 0 … k−1.
    /// </summary>
    public Tensor Parameters(Tensor u, long height, long width)
    {
        using var scope = NewDisposeScope();
        var blocks = new List<Tensor>(Ops.Count);
        int column = 0;
        foreach (var op in Ops)
        {
            blocks.Add(op.Parameters(u.narrow(1, column, op.Draws), height, width).to_type(ScalarType.Float64));
            column += op.Draws;
        }
        return cat(blocks, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the ops in order on B×C×H×W views in [0, 1] with their parameters (<see cref="Parameters"/>, on any device).</summary>
    public Tensor Apply(Tensor x, Tensor parameters)
    {
        using var scope = NewDisposeScope();
        long column = 0;
        foreach (var op in Ops)
        {
            x = op.Transform(x, parameters.narrow(1, column, op.ParameterCount));
            column += op.ParameterCount;
        }
        return x.MoveToOuterDisposeScope();
    }
}
