using SkiaSharp;

namespace SelfSup.Data;

/// <summary>
/// Decodes one JPEG/PNG file (SkiaSharp) to the square RGB uint8 image the cache stores: the centre square
/// (side = the shorter side) is kept and resized to <c>side</c>×<c>side</c> (linear filtering with mipmaps, so
/// downscaling is antialiased; JPEGs are first decoded at the largest DCT scale 1/2, 1/4 or 1/8 that still
/// covers the side), as planar CHW. Gray images become three equal channels; alpha is dropped.
/// <para>
/// A damaged or hostile file ends in a <see cref="SelfSupError"/> naming it, never in a native crash or a huge
/// allocation: before any pixel memory is allocated, the pixels to decode are checked against what the file's
/// bytes can plausibly hold — one megapixel plus <see cref="MaxPixelsPerFileByte"/> per byte, above PNG's hard
/// limit (deflate expands at most 1032:1: 8256 one-bit pixels per byte) and above what Huffman-coded JPEGs reach
/// at 1/8 scale (at least a bit per decoded pixel) — and against <see cref="MaxPixels"/>; cropping before
/// resizing keeps an image of extreme aspect ratio (1×30 000) from being scaled up to gigapixels.
/// </para>
/// </summary>
public static class ImageDecoder
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

    /// <summary>Decoded pixels a file may declare per byte it holds, beyond the first megapixel (see the type's remarks).</summary>
    public const long MaxPixelsPerFileByte = 8448;

    /// <summary>Largest image decoded at all, in pixels (1 GiB as RGBA).</summary>
    public const long MaxPixels = 1L << 28;

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Decodes <paramref name="path"/> into <paramref name="chw"/> (3·side·side bytes).</summary>
    public static void DecodeSquare(string path, int side, Span<byte> chw)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"cannot read image '{path}' ({e.Message.TrimEnd('.')})");
        }
        if (bytes.Length == 0) throw new SelfSupError($"image '{path}' is empty (0 bytes); delete it or replace it with a JPEG/PNG");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data)
            ?? throw new SelfSupError($"image '{path}' cannot be decoded (not a JPEG/PNG SkiaSharp can read, or corrupt); delete or replace it");
        var full = codec.Info.Size;
        if (full.Width < 1 || full.Height < 1) throw new SelfSupError($"image '{path}' has no pixels ({full.Width}×{full.Height}); delete or replace it");

        var size = full;
        float wanted = (float)side / Math.Min(full.Width, full.Height);
        if (wanted < 1)
        {
            var scaled = codec.GetScaledDimensions(wanted);
            if (Math.Min(scaled.Width, scaled.Height) >= side) size = scaled;
        }
        long pixels = (long)size.Width * size.Height;
        if (pixels > Math.Min(MaxPixels, bytes.LongLength * MaxPixelsPerFileByte + (1 << 20)))
            throw new SelfSupError($"image '{path}' declares {full.Width}×{full.Height} pixels, more than its {bytes.Length} bytes can plausibly hold " +
                $"(or over the {MaxPixels >> 20}-megapixel limit); its header is corrupt — delete or replace it");
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decoded = new SKBitmap();
        if (!decoded.TryAllocPixels(info))
            throw new SelfSupError($"image '{path}' ({size.Width}×{size.Height}) does not fit in memory; delete it or shrink it");
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new SelfSupError($"image '{path}' cannot be decoded ({(result == SKCodecResult.IncompleteInput ? "the file is truncated" : result.ToString())}); delete or replace it");

        // the centre square of the decoded image, resized to side × side
        int shortSide = Math.Min(size.Width, size.Height);
        int top = (size.Height - shortSide) / 2, left = (size.Width - shortSide) / 2;
        using var resized = shortSide == side ? null : new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (resized is not null)
        {
            using var square = new SKBitmap();
            if (!decoded.ExtractSubset(square, SKRectI.Create(left, top, shortSide, shortSide))
                || !square.ScalePixels(resized, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)))
                throw new SelfSupError($"image '{path}' could not be resized from {shortSide}×{shortSide} to {side}×{side}");
            top = left = 0;
        }
        var source = resized ?? decoded;

        var rgba = source.GetPixelSpan();
        int rowBytes = source.RowBytes, plane = side * side;
        for (int y = 0; y < side; y++)
        {
            var row = rgba.Slice((top + y) * rowBytes + left * 4, side * 4);
            int o = y * side;
            for (int x = 0; x < side; x++)
            {
                chw[o + x] = row[4 * x];
                chw[plane + o + x] = row[4 * x + 1];
                chw[2 * plane + o + x] = row[4 * x + 2];
            }
        }
    }
}
