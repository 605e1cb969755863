using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// A PNG contact sheet for eyeballing augmentations: one row per image, the original in the first column and its
/// M views after it, each un-normalised (<c>x·std + mean</c>), upscaled by an integer factor with nearest-neighbour
/// sampling, on a white background with <see cref="Gap"/>-pixel gaps around and between the cells.
/// One-channel images are drawn as gray.
/// <para>
/// For N images of H×W, M views of S×S and scale k the grid is
/// <c>width = Gap + (k·W + Gap) + M·(k·S + Gap)</c> by <c>height = Gap + N·(k·max(H, S) + Gap)</c> pixels.
/// </para>
/// </summary>
public static class ViewGrid
{
    /// <summary>Gap in pixels around and between cells.</summary>
    public const int Gap = 2;

    /// <summary>Width and height in pixels of the grid <see cref="WritePng"/> draws.</summary>
    public static (int Width, int Height) GridSize(int images, int views, int height, int width, int cropSize, int scale) =>
        (Gap + (scale * width + Gap) + views * (scale * cropSize + Gap),
         Gap + images * (scale * Math.Max(height, cropSize) + Gap));

    /// <summary>Writes the grid of <paramref name="originals"/> and their <paramref name="views"/> to a PNG file.</summary>
    /// <param name="originals">N×C×H×W uint8.</param>
    /// <param name="views">N×M×C×S×S float, normalised with <paramref name="preset"/> (as <see cref="ViewSampler.Sample(TorchSharp.torch.Tensor, ReadOnlySpan{ulong})"/> returns).</param>
    /// <param name="preset">Gives Mean/Std for un-normalising.</param>
    /// <param name="path">Output PNG path; its directory must exist.</param>
    /// <param name="scale">Integer upscaling factor ≥ 1.</param>
    /// <exception cref="SelfSupError">Shapes disagree, the scale is not positive, or the file cannot be written.</exception>
    public static void WritePng(Tensor originals, Tensor views, AugmentationPreset preset, string path, int scale = 3)
    {
        if (originals.dtype != ScalarType.Byte || originals.dim() != 4)
            throw new SelfSupError($"ViewGrid expects N×C×H×W uint8 originals, got {originals.dtype} [{string.Join(", ", originals.shape)}].");
        if (views.dim() != 5 || views.shape[0] != originals.shape[0] || views.shape[2] != originals.shape[1]
            || views.shape[3] != views.shape[4])
            throw new SelfSupError(
                $"ViewGrid expects N×M×C×S×S views matching originals [{string.Join(", ", originals.shape)}], got [{string.Join(", ", views.shape)}].");
        long c = originals.shape[1];
        if (c != 1 && c != 3) throw new SelfSupError($"ViewGrid draws 1- or 3-channel images, got {c} channels.");
        if (scale < 1) throw new SelfSupError($"ViewGrid scale must be at least 1, got {scale}.");
        if (string.IsNullOrWhiteSpace(path)) throw new SelfSupError("ViewGrid needs an output path for the PNG, got an empty one.");

        string fullPath;
        try { fullPath = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new SelfSupError($"Cannot write the view grid to '{path}': {e.Message}", e);
        }
        string? directory = Path.GetDirectoryName(fullPath);
        if (directory is null || !Directory.Exists(directory))
            throw new SelfSupError($"Cannot write the view grid to '{path}': directory '{directory}' does not exist; create it first.");

        int n = (int)originals.shape[0], m = (int)views.shape[1];
        int h = (int)originals.shape[2], w = (int)originals.shape[3], s = (int)views.shape[3];
        byte[] originalBytes, viewBytes;
        using (var scope = NewDisposeScope())
        {
            originalBytes = originals.cpu().contiguous().data<byte>().ToArray();
            viewBytes = ViewSampler.Unnormalise(views.cpu().to_type(float32), preset)
                .clamp(0, 1).mul(255).round().to_type(ScalarType.Byte).contiguous().data<byte>().ToArray();
        }

        var (gridW, gridH) = GridSize(n, m, h, w, s, scale);
        var rgba = new byte[checked(gridW * gridH * 4)];
        Array.Fill(rgba, (byte)255);
        int rowHeight = scale * Math.Max(h, s);
        for (int i = 0; i < n; i++)
        {
            int y0 = Gap + i * (rowHeight + Gap);
            Blit(rgba, gridW, Gap, y0, originalBytes, (long)i * c * h * w, (int)c, h, w, scale);
            for (int j = 0; j < m; j++)
            {
                int x0 = Gap + (scale * w + Gap) + j * (scale * s + Gap);
                Blit(rgba, gridW, x0, y0, viewBytes, ((long)i * m + j) * c * s * s, (int)c, s, s, scale);
            }
        }

        try
        {
            var info = new SKImageInfo(gridW, gridH, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using var image = SKImage.FromPixelCopy(info, rgba, gridW * 4);
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(fullPath);
            png.SaveTo(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"Cannot write the view grid to '{path}': {e.Message}", e);
        }
    }

    /// <summary>Copies one C×H×W planar image into the RGBA canvas at (x0, y0), each pixel as a scale×scale block.</summary>
    private static void Blit(byte[] canvas, int canvasWidth, int x0, int y0, byte[] source, long offset, int channels,
        int height, int width, int scale)
    {
        long plane = (long)height * width;
        for (int y = 0; y < height * scale; y++)
        {
            int sy = y / scale;
            int row = ((y0 + y) * canvasWidth + x0) * 4;
            for (int x = 0; x < width * scale; x++)
            {
                long p = offset + (long)sy * width + x / scale;
                byte r = source[p];
                byte g = channels == 3 ? source[p + plane] : r;
                byte b = channels == 3 ? source[p + 2 * plane] : r;
                int q = row + x * 4;
                canvas[q] = r;
                canvas[q + 1] = g;
                canvas[q + 2] = b;
                canvas[q + 3] = 255;
            }
        }
    }
}
