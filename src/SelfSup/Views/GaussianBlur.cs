using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Random Gaussian blur with a per-image standard deviation <c>σ_b ~ U[σ_min, σ_max]</c>, applied to each image
/// with probability p. The kernel is separable, <c>g_b(i) = exp(−i² / (2σ_b²)) / Σ_j exp(−j² / (2σ_b²))</c> for
/// <c>i = −k/2 … k/2</c>, and the borders are reflected (as torchvision does). The whole batch is blurred in two
/// grouped 1-D convolutions (one group per image and channel, each with its own kernel).
/// </summary>
/// <param name="probability">Probability that an image is blurred.</param>
/// <param name="sigmaMin">Smallest σ in pixels.</param>
/// <param name="sigmaMax">Largest σ in pixels.</param>
/// <param name="kernelSize">Odd kernel length k; see <see cref="KernelSizeFor"/>.</param>
/// <exception cref="SelfSupError">A setting is out of range.</exception>
public sealed class GaussianBlur(double probability, double sigmaMin, double sigmaMax, int kernelSize)
    : RandomlyAppliedOp(probability, "the blur probability")
{
    /// <summary>Smallest σ in pixels.</summary>
    public double SigmaMin { get; } = sigmaMin > 0 && sigmaMin <= sigmaMax ? sigmaMin
        : throw new SelfSupError($"the blur's σ range needs 0 < min <= max, got {sigmaMin}..{sigmaMax}");

    /// <summary>Largest σ in pixels.</summary>
    public double SigmaMax { get; } = sigmaMax;

    /// <summary>Odd kernel length.</summary>
    public int KernelSize { get; } = kernelSize >= 1 && kernelSize % 2 == 1 ? kernelSize
        : throw new SelfSupError($"the blur kernel size must be odd and positive, got {kernelSize}");

    /// <summary>
    /// Kernel length for S-pixel views: about 10% of S and odd, <c>k = 2·round(S / 20) + 1</c>, at least 3
    /// (23 for 224, 13 for 128, 5 for 32, 3 for 28).
    /// </summary>
    public static int KernelSizeFor(int cropSize) =>
        Math.Max(3, 2 * (int)Math.Round(cropSize / 20.0, MidpointRounding.AwayFromZero) + 1);

    /// <summary>Uniforms per image: u₀ decides the blur, u₁ gives <c>σ = σ_min + u₁(σ_max − σ_min)</c>.</summary>
    public override int Draws => 2;

    /// <summary>Blurs every image of <paramref name="x"/> (B×C×H×W) with the σ of its uniform <paramref name="u"/> (B×1).</summary>
    protected override Tensor Changed(Tensor x, Tensor u)
    {
        var sigma = u[.., 0].mul(SigmaMax - SigmaMin).add_(SigmaMin);
        return Blur(x, Kernels(sigma, KernelSize).to_type(x.dtype));
    }

    /// <summary>Normalised 1-D Gaussian kernels, one row per σ: B×k.</summary>
    public static Tensor Kernels(Tensor sigma, int kernelSize)
    {
        using var scope = NewDisposeScope();
        double half = (kernelSize - 1) / 2.0;
        var offsets = linspace(-half, half, kernelSize, dtype: float64, device: sigma.device).view(1, -1);
        var s = sigma.to_type(float64).view(-1, 1);
        var g = (offsets / s).pow_(2).mul_(-0.5).exp_();
        return (g / g.sum(1, keepdim: true)).MoveToOuterDisposeScope();
    }

    /// <summary>Blurs image b of <paramref name="x"/> (B×C×H×W) with the separable kernel row b of <paramref name="kernels"/> (B×k).</summary>
    public static Tensor Blur(Tensor x, Tensor kernels)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], k = kernels.shape[1];
        long pad = k / 2;
        if (pad >= h || pad >= w)
            throw new SelfSupError($"a blur kernel of size {k} is too large for {h}×{w} images; use larger images or a smaller kernel");
        var perChannel = kernels.unsqueeze(1).expand(b, c, k).reshape(b * c, 1, k);
        var y = x.reshape(1, b * c, h, w);
        y = nn.functional.pad(y, new long[] { pad, pad, 0, 0 }, PaddingModes.Reflect);
        y = nn.functional.conv2d(y, perChannel.view(b * c, 1, 1, k), groups: b * c);
        y = nn.functional.pad(y, new long[] { 0, 0, pad, pad }, PaddingModes.Reflect);
        y = nn.functional.conv2d(y, perChannel.view(b * c, 1, k, 1), groups: b * c);
        return y.view(b, c, h, w).MoveToOuterDisposeScope();
    }
}
