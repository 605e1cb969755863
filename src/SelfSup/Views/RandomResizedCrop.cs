using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random-resized crop, drawn independently for every image of a batch, following torchvision's rule.
/// <para>
/// For an H×W image each of <see cref="Attempts"/> candidates draws an area fraction
/// <c>s ~ U[ScaleMin, ScaleMax]</c> and an aspect ratio <c>r = exp(u)</c>, <c>u ~ U[ln RatioMin, ln RatioMax]</c>,
/// and sets <c>w = round(√(s·H·W·r))</c>, <c>h = round(√(s·H·W / r))</c>. The first candidate with
/// <c>0 &lt; w ≤ W</c> and <c>0 &lt; h ≤ H</c> wins and its corner is drawn uniformly,
/// <c>top ~ U{0..H−h}</c>, <c>left ~ U{0..W−w}</c>. If none is valid, the fallback is the largest centred
/// crop whose ratio is clamped to [RatioMin, RatioMax]. All candidates of all images are drawn at once.
/// </para>
/// <para>
/// The crop box is then resized to S×S with bilinear interpolation in one batched
/// <c>affine_grid</c> + <c>grid_sample</c> call (<c>align_corners = false</c>). With the box in pixels,
/// the per-sample affine map from output to input coordinates in [−1, 1] is
/// <c>θ = [[w/W, 0, (2·left + w)/W − 1], [0, h/H, (2·top + h)/H − 1]]</c>, so output pixel k samples
/// input column <c>left + w·(k + ½)/S − ½</c>, the usual half-pixel resize. No antialiasing filter is applied
/// when the box is larger than S.
/// </para>
/// </summary>
/// <param name="size">Side S of the square output.</param>
/// <param name="scaleMin">Smallest area fraction.</param>
/// <param name="scaleMax">Largest area fraction.</param>
/// <param name="ratioMin">Smallest aspect ratio w/h.</param>
/// <param name="ratioMax">Largest aspect ratio w/h.</param>
/// <exception cref="SelfSupError">A setting is out of range.</exception>
public sealed class RandomResizedCrop(int size, double scaleMin, double scaleMax, double ratioMin = 3.0 / 4.0, double ratioMax = 4.0 / 3.0) : ViewOp
{
    /// <summary>Number of candidate boxes tried per image before falling back to a centre crop.</summary>
    public const int Attempts = 10;

    /// <summary>Side S of the square output.</summary>
    public int Size { get; } = size >= 1 ? size : throw new SelfSupError($"the crop size must be positive, got {size}");

    /// <summary>Smallest area fraction.</summary>
    public double ScaleMin { get; } = scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1 ? scaleMin
        : throw new SelfSupError($"the crop's area range needs 0 < min <= max <= 1, got {scaleMin}..{scaleMax}");

    /// <summary>Largest area fraction.</summary>
    public double ScaleMax { get; } = scaleMax;

    /// <summary>Smallest aspect ratio w/h.</summary>
    public double RatioMin { get; } = ratioMin > 0 && ratioMin <= ratioMax ? ratioMin
        : throw new SelfSupError($"the crop's aspect-ratio range needs 0 < min <= max, got {ratioMin}..{ratioMax}");

    /// <summary>Largest aspect ratio w/h.</summary>
    public double RatioMax { get; } = ratioMax;

    /// <summary>
    /// Uniforms per image: <see cref="Attempts"/> area scales, <see cref="Attempts"/> log-ratios, then the
    /// top and left corner fractions.
    /// </summary>
    public override int Draws => 2 * Attempts + 2;

    /// <summary>A box per view: top, left, height, width.</summary>
    public override int ParameterCount => 4;

    /// <summary>The crop boxes, B×4 (top, left, height, width) in pixels, computed on the host from the uniforms.</summary>
    public override Tensor Parameters(Tensor u, long height, long width) => SampleBoxes(height, width, u);

    /// <summary>Crops every image of <paramref name="x"/> (B×C×H×W float) to its box and resizes it to S×S.</summary>
    /// <param name="x">B×C×H×W float images.</param>
    /// <param name="parameters">B×4 boxes from <see cref="Parameters"/>.</param>
    /// <returns>B×C×S×S float.</returns>
    public override Tensor Transform(Tensor x, Tensor parameters)
    {
        if (x.dim() != 4) throw new SelfSupError($"RandomResizedCrop expects B×C×H×W images, got shape [{string.Join(", ", x.shape)}]");
        using var boxes = parameters.to(x.device);
        return Resample(x, boxes, Size);
    }

    /// <summary>
    /// One crop box per image for a batch of <paramref name="batch"/> images of size
    /// <paramref name="height"/>×<paramref name="width"/>, with uniforms drawn from <paramref name="gen"/>.
    /// </summary>
    /// <returns>B×4 float64 tensor of (top, left, height, width) in whole pixels.</returns>
    public Tensor SampleBoxes(long batch, long height, long width, Generator gen)
    {
        using var u = rand(new long[] { batch, Draws }, float64, generator: gen);
        return SampleBoxes(height, width, u);
    }

    /// <summary>One crop box per row of <paramref name="u"/> (B×<see cref="Draws"/> uniforms) for H×W images.</summary>
    /// <returns>B×4 float64 tensor of (top, left, height, width) in whole pixels.</returns>
    public Tensor SampleBoxes(long height, long width, Tensor u)
    {
        using var scope = NewDisposeScope();
        double area = (double)height * width;
        u = u.to(CPU).to_type(float64);
        var scale = u.narrow(1, 0, Attempts).mul(ScaleMax - ScaleMin).add_(ScaleMin);
        double logLo = Math.Log(RatioMin), logHi = Math.Log(RatioMax);
        var ratio = u.narrow(1, Attempts, Attempts).mul(logHi - logLo).add_(logLo).exp_();
        var target = scale.mul_(area);
        var w = (target * ratio).sqrt_().round_();
        var h = (target / ratio).sqrt_().round_();
        var valid = w.gt(0) & w.le(width) & h.gt(0) & h.le(height);

        // argmax returns the first maximal index, i.e. the first valid attempt.
        var first = valid.to_type(ScalarType.Int32).argmax(1, keepdim: true);
        var found = valid.any(1);
        w = w.gather(1, first).squeeze(1);
        h = h.gather(1, first).squeeze(1);

        var (fallbackH, fallbackW) = FallbackSize(height, width);
        w = where(found, w, full_like(w, fallbackW));
        h = where(found, h, full_like(h, fallbackH));

        var corner = u.narrow(1, 2 * Attempts, 2);
        var top = (corner[.., 0] * (height - h + 1)).floor_();
        var left = (corner[.., 1] * (width - w + 1)).floor_();
        top = where(found, top, ((height - h) / 2).floor_());
        left = where(found, left, ((width - w) / 2).floor_());
        return stack(new[] { top, left, h, w }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>torchvision's fallback: the whole image with its ratio clamped to [RatioMin, RatioMax].</summary>
    private (double Height, double Width) FallbackSize(long height, long width)
    {
        double inRatio = (double)width / height;
        if (inRatio < RatioMin) return (Math.Round(width / RatioMin, MidpointRounding.ToEven), width);
        if (inRatio > RatioMax) return (height, Math.Round(height * RatioMax, MidpointRounding.ToEven));
        return (height, width);
    }

    /// <summary>
    /// Bilinearly resamples box b of image b to <paramref name="size"/>×<paramref name="size"/> for every b at once.
    /// </summary>
    /// <param name="x">B×C×H×W float images.</param>
    /// <param name="boxes">B×4 (top, left, height, width) in pixels.</param>
    /// <param name="size">Output side S.</param>
    /// <returns>B×C×S×S float.</returns>
    public static Tensor Resample(Tensor x, Tensor boxes, int size)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1];
        double height = x.shape[2], width = x.shape[3];
        var box = boxes.to_type(float64);
        var top = box[.., 0];
        var left = box[.., 1];
        var h = box[.., 2];
        var w = box[.., 3];
        var zero = zeros_like(top);
        var theta = stack(new[]
        {
            w / width, zero, (2 * left + w) / width - 1,
            zero, h / height, (2 * top + h) / height - 1,
        }, 1).view(b, 2, 3).to_type(x.dtype);
        var grid = nn.functional.affine_grid(theta, new long[] { b, c, size, size }, align_corners: false);
        return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border,
            align_corners: false).MoveToOuterDisposeScope();
    }
}
