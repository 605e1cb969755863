using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random colour jitter, applied to each image with probability p and with its own factors.
/// <para>
/// Factors are drawn uniformly per image: brightness <c>β ~ U[max(0, 1 − b), 1 + b]</c>, contrast
/// <c>γ ~ U[max(0, 1 − c), 1 + c]</c>, saturation <c>σ ~ U[max(0, 1 − s), 1 + s]</c>, hue shift
/// <c>δ ~ U[−h, h]</c>. Unlike torchvision, which shuffles the four adjustments per call, the order here is
/// fixed: brightness → contrast → saturation → hue, each followed by a clamp to [0, 1]:
/// </para>
/// <list type="bullet">
/// <item>brightness: <c>x ← β·x</c></item>
/// <item>contrast: <c>x ← γ·x + (1 − γ)·μ</c>, with μ the mean of the image's luma over all pixels</item>
/// <item>saturation: <c>x ← σ·x + (1 − σ)·Y</c>, with Y the per-pixel luma (ITU-R 601)</item>
/// <item>hue: RGB → HSV, <c>H ← (H + δ) mod 1</c>, HSV → RGB</item>
/// </list>
/// One-channel images get brightness and contrast only. An adjustment whose strength is 0 is skipped.
/// </summary>
/// <param name="probability">Probability that an image is jittered.</param>
/// <param name="brightness">Brightness strength b ≥ 0.</param>
/// <param name="contrast">Contrast strength c ≥ 0.</param>
/// <param name="saturation">Saturation strength s ≥ 0.</param>
/// <param name="hue">Hue strength h in [0, 0.5].</param>
public sealed class ColorJitter(double probability, double brightness, double contrast, double saturation, double hue)
    : RandomlyAppliedOp(probability, "the colour-jitter probability")
{
    /// <summary>Brightness strength.</summary>
    public double Brightness { get; } = brightness >= 0 ? brightness : throw Negative("brightness", brightness);

    /// <summary>Contrast strength.</summary>
    public double Contrast { get; } = contrast >= 0 ? contrast : throw Negative("contrast", contrast);

    /// <summary>Saturation strength.</summary>
    public double Saturation { get; } = saturation >= 0 ? saturation : throw Negative("saturation", saturation);

    /// <summary>Hue strength (in turns).</summary>
    public double Hue { get; } = hue >= 0 && hue <= 0.5 ? hue : throw new SelfSupError($"the hue strength must be in [0, 0.5] turns, got {hue}");

    private static SelfSupError Negative(string what, double value) => new($"the {what} strength must be non-negative, got {value}");

    /// <summary>Uniforms per image: u₀ decides the jitter, u₁…u₄ give the brightness, contrast, saturation and hue factors.</summary>
    public override int Draws => 5;

    /// <summary>
    /// Jitters every image of <paramref name="x"/> (B×C×H×W in [0, 1], C = 1 or 3) with the factors of its uniforms
    /// <paramref name="u"/> (B×4: brightness, contrast, saturation, hue).
    /// </summary>
    protected override Tensor Changed(Tensor x, Tensor u)
    {
        bool colour = x.shape[1] == 3;
        u = u.to(x.device).to_type(x.dtype);
        var y = x;
        if (Brightness > 0) y = AdjustBrightness(y, Factor(u[.., 0], Brightness));
        if (Contrast > 0) y = AdjustContrast(y, Factor(u[.., 1], Contrast));
        if (colour && Saturation > 0) y = AdjustSaturation(y, Factor(u[.., 2], Saturation));
        if (colour && Hue > 0) y = ShiftHue(y, u[.., 3].mul(2 * Hue).sub_(Hue));
        return y;
    }

    /// <summary>Maps u ~ U[0, 1) to a factor in [max(0, 1 − s), 1 + s].</summary>
    private static Tensor Factor(Tensor u, double strength)
    {
        double lo = Math.Max(0, 1 - strength), hi = 1 + strength;
        return u.mul(hi - lo).add_(lo);
    }

    /// <summary><c>clamp(β_b·x_b, 0, 1)</c> with one factor per image (<paramref name="factor"/> has B entries).</summary>
    public static Tensor AdjustBrightness(Tensor x, Tensor factor) =>
        (x * factor.view(-1, 1, 1, 1)).clamp_(0, 1);

    /// <summary><c>clamp(γ_b·x_b + (1 − γ_b)·μ_b, 0, 1)</c>, μ_b the mean luma of image b.</summary>
    public static Tensor AdjustContrast(Tensor x, Tensor factor)
    {
        using var scope = NewDisposeScope();
        var g = factor.view(-1, 1, 1, 1);
        var mean = RandomGrayscale.Luma(x).mean(new long[] { 1, 2, 3 }, keepdim: true);
        return (g * x + (1 - g) * mean).clamp_(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary><c>clamp(σ_b·x_b + (1 − σ_b)·Y(x_b), 0, 1)</c>, Y the per-pixel luma.</summary>
    public static Tensor AdjustSaturation(Tensor x, Tensor factor)
    {
        using var scope = NewDisposeScope();
        var s = factor.view(-1, 1, 1, 1);
        return (s * x + (1 - s) * RandomGrayscale.Luma(x)).clamp_(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Rotates the hue of image b by <paramref name="shift"/>[b] turns: <c>H ← (H + δ_b) mod 1</c>.</summary>
    public static Tensor ShiftHue(Tensor x, Tensor shift)
    {
        using var scope = NewDisposeScope();
        var hsv = RgbToHsv(x);
        var h = hsv[.., 0] + shift.view(-1, 1, 1);
        return HsvToRgb(stack(new[] { h, hsv[.., 1], hsv[.., 2] }, 1)).clamp_(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// RGB → HSV for B×3×H×W in [0, 1]. With M = max(R, G, B), m = min(R, G, B), Δ = M − m:
    /// <c>V = M</c>, <c>S = Δ / M</c> (0 when M = 0) and
    /// <c>H = ((G − B)/Δ, 2 + (B − R)/Δ or 4 + (R − G)/Δ when M is R, G or B) / 6 mod 1</c> (0 when Δ = 0).
    /// </summary>
    public static Tensor RgbToHsv(Tensor rgb)
    {
        using var scope = NewDisposeScope();
        var r = rgb[.., 0];
        var g = rgb[.., 1];
        var b = rgb[.., 2];
        var max = rgb.amax(new long[] { 1 });
        var min = rgb.amin(new long[] { 1 });
        var delta = max - min;
        var s = delta / where(max.gt(0), max, ones_like(max));
        var d = where(delta.gt(0), delta, ones_like(delta));
        var hue = where(max.eq(r), (g - b) / d,
                  where(max.eq(g), (b - r) / d + 2, (r - g) / d + 4));
        hue = where(delta.gt(0), hue, zeros_like(hue)).div_(6).remainder_(1.0);
        return stack(new[] { hue, s, max }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// HSV → RGB for B×3×H×W, branch-free: each channel n ∈ {R: 5, G: 3, B: 1} is
    /// <c>V − V·S·clamp(min(k, 4 − k), 0, 1)</c> with <c>k = (n + 6H) mod 6</c>.
    /// </summary>
    public static Tensor HsvToRgb(Tensor hsv)
    {
        using var scope = NewDisposeScope();
        var h6 = hsv[.., 0] * 6;
        var vs = hsv[.., 2] * hsv[.., 1];
        var v = hsv[.., 2];
        Tensor Channel(double n)
        {
            var k = (h6 + n).remainder_(6.0);
            return v - vs * minimum(k, 4 - k).clamp_(0, 1);
        }
        return stack(new[] { Channel(5), Channel(3), Channel(1) }, 1).MoveToOuterDisposeScope();
    }
}
