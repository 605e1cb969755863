namespace SelfSup.Views;

/// <summary>
/// Multi-crop (SwAV's): besides the M full-size views, <see cref="Count"/> small, low-resolution crops per image, each
/// a random resized crop of area fraction in [<see cref="ScaleMin"/>, <see cref="ScaleMax"/>] resized to
/// <see cref="Size"/>², followed by the preset's other ops. They are keyed like the full views (view indices M … M+K−1
/// of the image; <see cref="ViewKeys"/>), so resume and data parallelism stay exact.
/// </summary>
public sealed record SmallCrops(int Count, int Size, double ScaleMin, double ScaleMax)
{
    /// <summary>The smaller side a small crop gets by default: half the full views'.</summary>
    public static int DefaultSize(AugmentationPreset preset) => Math.Max(1, preset.CropSize / 2);

    /// <summary>SwAV's area range for small crops.</summary>
    public const double DefaultScaleMin = 0.05, DefaultScaleMax = 0.4;

    /// <summary>The preset the small crops are drawn with: the full views' ops, their own crop size and area range.</summary>
    public AugmentationPreset PresetFrom(AugmentationPreset full) => full with { CropSize = Size, ScaleMin = ScaleMin, ScaleMax = ScaleMax };

    /// <exception cref="SelfSupError">A setting is out of range for <paramref name="full"/>.</exception>
    public void Validate(AugmentationPreset full)
    {
        if (Count < 0) throw new SelfSupError($"`small_crops` {Count} must be 0 (none) or a number of extra crops per image, e.g. 4");
        if (Size < 1 || Size > full.CropSize)
            throw new SelfSupError($"`small_crop_size` {Size} must be between 1 and the full views' size {full.CropSize}; e.g. {DefaultSize(full)}");
        if (!(ScaleMin > 0 && ScaleMin <= ScaleMax && ScaleMax <= 1))
            throw new SelfSupError($"`small_crop_scale` {ScaleMin},{ScaleMax} must be two area fractions 0 < MIN <= MAX <= 1, e.g. {DefaultScaleMin},{DefaultScaleMax}");
    }
}
