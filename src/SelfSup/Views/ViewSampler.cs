using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Turns a batch of N images into M augmented views each: N×C×H×W uint8 → N×M×C×S×S float32.
/// <para>
/// The images are repeated M times and all N·M views go through the ops of <see cref="ViewPipeline"/> together,
/// each view with its own parameters, after which each channel is normalised, <c>x'_c = (x_c − mean_c) / std_c</c>. Every random number of a view
/// comes from its key (<see cref="ViewKeys"/>: seed, epoch, image, view) through <see cref="ViewDraws"/>, so a view
/// is a pure function of those four numbers, independent of the batch it is drawn in.
/// </para>
/// </summary>
public sealed class ViewSampler
{
    private readonly ViewPipeline _pipeline;
    private readonly ViewSampler? _small;

    /// <summary>Creates a sampler of <paramref name="views"/> views per image, and <paramref name="smallCrops"/> more when given.</summary>
    /// <exception cref="SelfSupError"><paramref name="views"/> &lt; 2, or the preset or the small crops are out of range.</exception>
    public ViewSampler(AugmentationPreset preset, int views, SmallCrops? smallCrops = null) : this(preset, views, smallCrops, fullViews: true) { }

    private ViewSampler(AugmentationPreset preset, int views, SmallCrops? smallCrops, bool fullViews)
    {
        ArgumentNullException.ThrowIfNull(preset);
        if (fullViews) CheckViews(views);
        Preset = preset;
        Views = views;
        _pipeline = ViewPipeline.For(preset);
        if (smallCrops is { Count: > 0 })
        {
            smallCrops.Validate(preset);
            _small = new ViewSampler(smallCrops.PresetFrom(preset), smallCrops.Count, null, fullViews: false);
        }
    }

    /// <summary>The rule every caller shares: at least 2 full-size views per image (the losses compare views of one image).</summary>
    /// <exception cref="SelfSupError"><paramref name="views"/> &lt; 2.</exception>
    public static void CheckViews(int views)
    {
        if (views < 2)
            throw new SelfSupError($"`views` {views}: multi-view SSL needs at least 2 views per image (the losses compare views of the same image; the paper uses 2, 4 or 8)");
    }

    /// <summary>Small crops per image K (0 without multi-crop).</summary>
    public int SmallCropCount => _small?.Views ?? 0;

    /// <summary>Side s of the small crops (0 without multi-crop).</summary>
    public int SmallCropSize => _small?.CropSize ?? 0;

    /// <summary>View keys per image: the M full views, then the K small crops.</summary>
    public int KeysPerImage => Views + SmallCropCount;

    /// <summary>
    /// The M full views and the K small crops of every image (<see cref="ViewBatch"/>); <paramref name="keys"/> holds
    /// N·(M+K) keys, image-major (<see cref="ViewKeys.For"/> with <see cref="KeysPerImage"/>): the first M of an image
    /// key its full views, the last K its small crops. Without multi-crop, the same views as <see cref="Sample(Tensor, ReadOnlySpan{ulong})"/>.
    /// </summary>
    public ViewBatch SampleBatch(Tensor images, ReadOnlySpan<ulong> keys)
    {
        if (_small is null) return new ViewBatch(Sample(images, keys));
        int per = KeysPerImage;
        if (keys.Length % per != 0)
            throw new SelfSupError($"ViewSampler: {keys.Length} view keys is not a whole number of images × {per} views; pass ViewKeys.For(seed, epoch, indices, {per}).");
        int n = keys.Length / per;
        var full = new ulong[n * Views];
        var small = new ulong[n * SmallCropCount];
        for (int i = 0; i < n; i++)
        {
            keys.Slice(i * per, Views).CopyTo(full.AsSpan(i * Views));
            keys.Slice(i * per + Views, SmallCropCount).CopyTo(small.AsSpan(i * SmallCropCount));
        }
        var fullViews = Sample(images, full);
        return new ViewBatch(fullViews, _small.Sample(images, small));
    }

    /// <summary>The augmentation recipe.</summary>
    public AugmentationPreset Preset { get; }

    /// <summary>Number of views M per image.</summary>
    public int Views { get; }

    /// <summary>Side S of the views.</summary>
    public int CropSize => Preset.CropSize;

    /// <summary>Draws M views of every image, each view's parameters from its key (<see cref="ViewKeys"/>).</summary>
    /// <param name="images">N×C×H×W uint8 (CPU or the training device), C equal to the preset's channel count.</param>
    /// <param name="keys">N·M view keys, image-major (<see cref="ViewKeys.For"/>): view m of image n has key <c>keys[n·M + m]</c>.</param>
    /// <returns>N×M×C×S×S float32 on the images' device, normalised; view m of image n is at [n, m].</returns>
    public Tensor Sample(Tensor images, ReadOnlySpan<ulong> keys)
    {
        CheckImages(images);
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (keys.Length != n * Views)
            throw new SelfSupError($"ViewSampler: {keys.Length} view keys for {n} images × {Views} views; pass ViewKeys.For(seed, epoch, indices, {Views}).");
        using var scope = NewDisposeScope();
        // every op's parameters (the crop boxes computed on the host) reach the images' device in one copy
        var parameters = _pipeline.Parameters(ViewDraws.For(keys, _pipeline.DrawsPerView), h, w);
        var x = images.to_type(float32).div_(255f);
        x = x.unsqueeze(1).expand(n, Views, c, h, w).reshape(n * Views, c, h, w);
        x = _pipeline.Apply(x, DeviceCopy.Of(parameters, images.device));
        x = Normalise(x, Preset);
        return x.view(n, Views, c, CropSize, CropSize).MoveToOuterDisposeScope();
    }

    /// <summary>Draws M views of every image with view keys taken from <paramref name="gen"/> (previews, view-averaged features).</summary>
    public Tensor Sample(Tensor images, Generator gen) => Sample(images, ViewKeys.From(gen, (int)(images.shape[0] * Views)));

    /// <summary>
    /// The unaugmented images for evaluation, normalised: if H×W differs from S×S the shorter side is resized to S
    /// (bilinear, antialiased) and the centre S×S is kept.
    /// </summary>
    /// <param name="images">N×C×H×W uint8 (CPU or the training device).</param>
    /// <returns>N×C×S×S float32 on the images' device.</returns>
    public Tensor Clean(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var x = images.to_type(float32).div_(255f);
        long h = x.shape[2], w = x.shape[3];
        int s = CropSize;
        if (h != s || w != s)
        {
            long newH = h <= w ? s : (long)Math.Round((double)h * s / w);
            long newW = h <= w ? (long)Math.Round((double)w * s / h) : s;
            if (newH != h || newW != w)
                x = nn.functional.interpolate(x, new[] { newH, newW }, mode: InterpolationMode.Bilinear,
                    align_corners: false, antialias: true).clamp_(0, 1);
            long top = (newH - s) / 2, left = (newW - s) / 2;
            x = x.narrow(2, top, s).narrow(3, left, s);
        }
        return Normalise(x, Preset).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary><c>(x_c − mean_c) / std_c</c> over the channel dimension (third from the end).</summary>
    public static Tensor Normalise(Tensor x, AugmentationPreset preset) =>
        PerChannel(x, preset, (plane, mean, std) => plane.sub_(mean).div_(std));

    /// <summary>The inverse of <see cref="Normalise"/>: <c>x_c·std_c + mean_c</c>.</summary>
    public static Tensor Unnormalise(Tensor x, AugmentationPreset preset) =>
        PerChannel(x, preset, (plane, mean, std) => plane.mul_(std).add_(mean));

    /// <summary>
    /// A copy of <paramref name="x"/> (channels third from the end) with <paramref name="op"/> applied in place to each
    /// channel's plane with that channel's mean and std as scalars: no constant tensor to copy to the device per batch.
    /// </summary>
    private static Tensor PerChannel(Tensor x, AugmentationPreset preset, Action<Tensor, double, double> op)
    {
        if (x.dim() < 3 || x.shape[^3] != preset.Channels)
            throw new SelfSupError(
                $"Preset '{preset.Name}' expects {preset.Channels}-channel images, got shape [{string.Join(", ", x.shape)}].");
        var y = x.clone();
        for (int ch = 0; ch < preset.Channels; ch++)
        {
            using var plane = y.narrow(-3, ch, 1);
            op(plane, preset.Mean[ch], preset.Std[ch]);
        }
        return y;
    }

    private void CheckImages(Tensor images)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4)
            throw new SelfSupError(
                $"ViewSampler expects N×C×H×W uint8 images, got {images.dtype} of shape [{string.Join(", ", images.shape)}].");
        if (images.shape[1] != Preset.Channels)
            throw new SelfSupError(
                $"Preset '{Preset.Name}' expects {Preset.Channels}-channel images but the data has {images.shape[1]} channels; " +
                "choose the preset that matches the dataset.");
        if (images.shape[0] == 0 || images.shape[2] == 0 || images.shape[3] == 0)
            throw new SelfSupError($"ViewSampler got an empty batch of shape [{string.Join(", ", images.shape)}].");
    }
}
