using SkiaSharp;

namespace SelfSup.Data;

/// <summary>
/// Decodes one JPEG/PNG file (SkiaSharp) to the square RGB uint8 image the cache stores: resized so its
/// shorter side is <c>side</c> (linear filtering with mipmaps, so downscaling is antialiased; JPEGs are
/// first decoded at the largest DCT scale 1/2, 1/4 or 1/8 that still covers the side), then the centre
/// <c>side</c>×<c>side</c> square is kept, as planar CHW. Gray images become three equal channels; alpha is dropped.
/// </summary>
public static class ImageDecoder
{
    /// <summary>File extensions read as images (case-insensitive).</summary>
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

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
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new SelfSupError($"image '{path}' cannot be decoded ({(result == SKCodecResult.IncompleteInput ? "the file is truncated" : result.ToString())}); delete or replace it");

        int shortSide = Math.Min(size.Width, size.Height);
        int w = Math.Max(side, (int)Math.Round((double)size.Width * side / shortSide));
        int h = Math.Max(side, (int)Math.Round((double)size.Height * side / shortSide));
        using var resized = w == size.Width && h == size.Height ? null : new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (resized is not null && !decoded.ScalePixels(resized, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)))
            throw new SelfSupError($"image '{path}' could not be resized to {w}×{h}");
        var source = resized ?? decoded;

        var pixels = source.GetPixelSpan();
        int rowBytes = source.RowBytes, top = (h - side) / 2, left = (w - side) / 2, plane = side * side;
        for (int y = 0; y < side; y++)
        {
            var row = pixels.Slice((top + y) * rowBytes + left * 4, side * 4);
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
