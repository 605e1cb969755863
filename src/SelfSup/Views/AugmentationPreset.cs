namespace SelfSup.Views;

/// <summary>
/// The augmentation recipe used to turn one image into a view (SPEC, section "Augmentations").
/// All views of a run use the same preset; every image and every view draws its own parameters.
/// <para>
/// The ops run in the order of <see cref="ViewPipeline"/>, then each channel <c>c</c> is normalised as
/// <c>x'_c = (x_c − Mean[c]) / Std[c]</c>.
/// </para>
/// <list type="table">
/// <listheader><term>preset</term><description>crop, scale, flip, jitter (p = 0.8) b/c/s/h, grayscale, extra</description></listheader>
/// <item><term><see cref="Cifar"/></term><description>32, 0.08–1, 0.5, 0.4/0.4/0.4/0, 0.2, —</description></item>
/// <item><term><see cref="Stl10"/></term><description>64, 0.2–1, 0.5, 0.4/0.4/0.4/0, 0.1, —</description></item>
/// <item><term><see cref="ImageNet100"/></term><description>128, 0.08–1, 0.5, 0.4/0.4/0.4/0.1, 0.2, solarize p = 0.2</description></item>
/// <item><term><see cref="FashionMnist"/></term><description>28, 0.2–1, 0.5, 0.4/0.4/–/–, —, one channel</description></item>
/// </list>
/// Gaussian blur (σ ∈ [0.1, 2]) is an option: it is off (<see cref="BlurProbability"/> = 0) in every
/// preset; turn it on with <c>preset with { BlurProbability = 0.5 }</c>.
/// </summary>
public sealed record AugmentationPreset
{
    /// <summary>Short name of the preset (one of <see cref="Names"/> for the built-in ones).</summary>
    public required string Name { get; init; }

    /// <summary>Side S of the square views, in pixels.</summary>
    public required int CropSize { get; init; }

    /// <summary>Smallest fraction of the image area kept by the random-resized crop.</summary>
    public required double ScaleMin { get; init; }

    /// <summary>Largest fraction of the image area kept by the random-resized crop.</summary>
    public double ScaleMax { get; init; } = 1.0;

    /// <summary>Smallest crop aspect ratio w/h (drawn log-uniformly).</summary>
    public double RatioMin { get; init; } = 3.0 / 4.0;

    /// <summary>Largest crop aspect ratio w/h (drawn log-uniformly).</summary>
    public double RatioMax { get; init; } = 4.0 / 3.0;

    /// <summary>Probability that a view is mirrored left–right.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Probability that colour jitter is applied to a view.</summary>
    public double JitterProbability { get; init; } = 0.8;

    /// <summary>Brightness strength b: factor drawn uniformly in [max(0, 1 − b), 1 + b].</summary>
    public double Brightness { get; init; }

    /// <summary>Contrast strength c: factor drawn uniformly in [max(0, 1 − c), 1 + c].</summary>
    public double Contrast { get; init; }

    /// <summary>Saturation strength s: factor drawn uniformly in [max(0, 1 − s), 1 + s] (colour images only).</summary>
    public double Saturation { get; init; }

    /// <summary>Hue strength h: hue shift drawn uniformly in [−h, h] turns (colour images only, h ≤ 0.5).</summary>
    public double Hue { get; init; }

    /// <summary>Probability that a colour view is turned gray (ITU-R 601 luma, three equal channels).</summary>
    public double GrayscaleProbability { get; init; }

    /// <summary>Probability that a view is solarized (x ≥ 0.5 → 1 − x).</summary>
    public double SolarizeProbability { get; init; }

    /// <summary>Probability that a view is blurred with a Gaussian kernel; 0 (off) in every built-in preset.</summary>
    public double BlurProbability { get; init; }

    /// <summary>Smallest blur standard deviation, in pixels.</summary>
    public double BlurSigmaMin { get; init; } = 0.1;

    /// <summary>Largest blur standard deviation, in pixels.</summary>
    public double BlurSigmaMax { get; init; } = 2.0;

    /// <summary>Per-channel mean subtracted at the end; its length is the number of channels.</summary>
    public required float[] Mean { get; init; }

    /// <summary>Per-channel standard deviation divided by at the end.</summary>
    public required float[] Std { get; init; }

    /// <summary>Number of image channels this preset expects (1 or 3).</summary>
    public int Channels => Mean.Length;

    /// <summary>CIFAR-10/100: 32-pixel views, scale 0.08–1, jitter 0.4/0.4/0.4/0, grayscale 0.2.</summary>
    public static AugmentationPreset Cifar => Colour("cifar", crop: 32, scaleMin: 0.08, hue: 0, grayscale: 0.2, solarize: 0,
        mean: [0.4914f, 0.4822f, 0.4465f], std: [0.2470f, 0.2435f, 0.2616f]);

    /// <summary>STL-10: 64-pixel views, scale 0.2–1, jitter 0.4/0.4/0.4/0, grayscale 0.1.</summary>
    public static AugmentationPreset Stl10 => Colour("stl10", crop: 64, scaleMin: 0.2, hue: 0, grayscale: 0.1, solarize: 0,
        mean: [0.4467f, 0.4398f, 0.4066f], std: [0.2603f, 0.2566f, 0.2713f]);

    /// <summary>ImageNet-100 (or any image folder): 128-pixel views, scale 0.08–1, jitter 0.4/0.4/0.4/0.1,
    /// grayscale 0.2, solarize 0.2.</summary>
    public static AugmentationPreset ImageNet100 => Colour("imagenet100", crop: 128, scaleMin: 0.08, hue: 0.1, grayscale: 0.2, solarize: 0.2,
        mean: [0.485f, 0.456f, 0.406f], std: [0.229f, 0.224f, 0.225f]);

    /// <summary>The colour presets share flip 0.5 and jitter p = 0.8 with brightness, contrast and saturation 0.4.</summary>
    private static AugmentationPreset Colour(string name, int crop, double scaleMin, double hue, double grayscale, double solarize, float[] mean, float[] std) => new()
    {
        Name = name, CropSize = crop, ScaleMin = scaleMin,
        Brightness = 0.4, Contrast = 0.4, Saturation = 0.4, Hue = hue,
        GrayscaleProbability = grayscale, SolarizeProbability = solarize,
        Mean = mean, Std = std,
    };

    /// <summary>Fashion-MNIST: one channel, 28-pixel views, scale 0.2–1, jitter brightness/contrast 0.4 only,
    /// no grayscale.</summary>
    public static AugmentationPreset FashionMnist => new()
    {
        Name = "fashion-mnist",
        CropSize = 28,
        ScaleMin = 0.2,
        Brightness = 0.4, Contrast = 0.4,
        Mean = [0.2860f],
        Std = [0.3530f],
    };

    /// <summary>Names accepted by <see cref="ForName"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["cifar", "cifar10", "cifar100", "stl10", "imagenet100", "imagefolder", "folder", "fashion-mnist"];

    /// <summary>The built-in preset for a dataset or preset name (case-insensitive).</summary>
    /// <exception cref="SelfSupError">The name is not one of <see cref="Names"/>.</exception>
    public static AugmentationPreset ForName(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "cifar" or "cifar10" or "cifar100" => Cifar,
        "stl10" => Stl10,
        "imagenet100" or "imagefolder" or "folder" => ImageNet100,
        "fashion-mnist" => FashionMnist,
        _ => throw new SelfSupError(
            $"Unknown augmentation preset '{name}'. Valid names: {string.Join(", ", Names)}."),
    };

    /// <summary>Checks that every field is in range, by building the preset's ops (<see cref="ViewPipeline.For"/>).</summary>
    /// <exception cref="SelfSupError">A field is out of range; the message names it.</exception>
    public void Validate() => ViewPipeline.For(this);
}
