using System.Buffers.Binary;
using System.Text;
using SelfSup.Data;
using SelfSup.Tests.Data;
using SkiaSharp;
using Xunit;
using Xunit.Abstractions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile JPEG and PNG files in an image folder (ImageFolderDataset → ImageDecoder → SkiaSharp): damaged
/// segment lengths, image sizes set huge, zero or negative (PNG chunks with their CRC made right again, so the
/// damage reaches the decoder), flipped bytes, truncation. Each must give a decoded image or a one-line error
/// naming the image — never a native crash, a huge allocation or a partly decoded image passed off as whole.
/// </summary>
public sealed class ImageFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000, Side = 8;

    [Fact]
    public void MutatedJpegFilesDecodeOrAreRejectedClearly() => Run(png: false, seed: 51);

    [Fact]
    public void MutatedPngFilesDecodeOrAreRejectedClearly() => Run(png: true, seed: 52);

    private void Run(bool png, int seed)
    {
        using var dir = new FuzzDir();
        var original = SyntheticDatasets.EncodedImage(16, 12, new SKColor(200, 90, 30), png, seed);
        var (fields, chunks) = png ? PngFields(original) : (JpegFields(original), []);
        byte[] intact = Decode(dir.File("intact"), original);
        var mutator = new Mutator(seed, fields);
        var run = new FuzzRun(png ? "png" : "jpeg", output);
        var crafted = Crafted(original, fields, chunks, png);
        for (int i = 0; i < crafted.Count + Cases; i++)
        {
            var (mutation, side) = i < crafted.Count ? crafted[i] : (mutator.Mutate(original), Side);
            var bytes = png && mutation.Kind != "crafted" && (mutation.Kind == "field" || mutator.Random.Next(2) == 0) ? FixCrcs(mutation.Bytes, chunks) : mutation.Bytes;
            string caseDir = dir.File($"case{i}");
            run.Case(mutation, Path.Combine(caseDir, png ? "a.png" : "a.jpg"), () =>
            {
                var pixels = Decode(caseDir, bytes, png, side);
                // a prefix of the file holds no other pixels than the whole: accepted truncations must decode to the original
                return mutation.Kind == "truncate" && !pixels.SequenceEqual(intact) ? "a truncated image decoded to other pixels than the whole file" : null;
            });
            Directory.Delete(caseDir, recursive: true);
        }
        run.Finish();
    }

    /// <summary>Writes one image into <paramref name="caseDir"/>, loads the folder at <paramref name="side"/> and returns its pixels.</summary>
    private static byte[] Decode(string caseDir, byte[] image, bool png = false, int side = Side)
    {
        Directory.CreateDirectory(caseDir);
        File.WriteAllBytes(Path.Combine(caseDir, png ? "a.png" : "a.jpg"), image);
        using var data = DatasetCatalog.Open("folder", caseDir, "train", new DataOptions(CacheSide: side));
        Assert.Equal([1L, 3, side, side], data.Images.shape);
        return data.Images.contiguous().data<byte>().ToArray();
    }

    /// <summary>
    /// Images made hostile by hand: sizes of 65535² (JPEG) and 2^31−1² or 10^6² (PNG, CRC made right) in a
    /// file of a few hundred bytes, and real images of extreme aspect ratio (30000×1, 1×30000) decoded at the
    /// largest cache side, where resizing the whole image before cropping would need gigapixels.
    /// </summary>
    private static List<(Mutation, int Side)> Crafted(byte[] original, FuzzField[] fields, List<(int Start, int Length)> chunks, bool png)
    {
        (Mutation, int) Sized(uint width, uint height)
        {
            var bytes = (byte[])original.Clone();
            var w = fields.First(f => f.Name == "width");
            var h = fields.First(f => f.Name == "height");
            foreach (var (field, value) in new[] { (w, width), (h, height) })
                for (int k = 0; k < field.Width; k++) bytes[field.Offset + k] = (byte)(value >> (8 * (field.Width - 1 - k)));
            return (new Mutation(png ? FixCrcs(bytes, chunks) : bytes, "crafted", $"size set to {width}×{height}"), Side);
        }
        var cases = png
            ? new List<(Mutation, int)> { Sized(int.MaxValue, int.MaxValue), Sized(1_000_000, 1_000_000), Sized(100_000, 12) }
            : [Sized(65535, 65535), Sized(65535, 12), Sized(16, 65535)];
        foreach (var (w, h) in new[] { (30_000, 1), (1, 30_000) })
            cases.Add((new Mutation(SyntheticDatasets.EncodedImage(w, h, new SKColor(10, 200, 90), png), "crafted", $"real {w}×{h} image at side 1024"), 1024));
        return cases;
    }

    /// <summary>The segment lengths of a JPEG and its frame header's precision, height, width and component count.</summary>
    private static FuzzField[] JpegFields(byte[] jpeg)
    {
        var fields = new List<FuzzField>();
        for (int at = 2; at + 4 <= jpeg.Length && jpeg[at] == 0xff;)
        {
            byte marker = jpeg[at + 1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(at + 2));
            fields.Add(new($"length of segment ff{marker:x2}", at + 2, 2, BigEndian: true));
            if (marker is >= 0xc0 and <= 0xcf and not (0xc4 or 0xc8 or 0xcc))
                fields.AddRange([new("precision", at + 4, 1), new("height", at + 5, 2, true), new("width", at + 7, 2, true), new("components", at + 9, 1)]);
            if (marker == 0xda) break;                                   // entropy-coded data follows
            at += 2 + length;
        }
        return [.. fields];
    }

    /// <summary>The chunk lengths of a PNG and its IHDR fields, plus each chunk's extent for the CRC repair.</summary>
    private static (FuzzField[] Fields, List<(int Start, int Length)> Chunks) PngFields(byte[] png)
    {
        var fields = new List<FuzzField>
        {
            new("width", 16, 4, true), new("height", 20, 4, true), new("bit depth", 24, 1), new("colour type", 25, 1), new("interlace", 28, 1),
        };
        var chunks = new List<(int, int)>();
        for (int at = 8; at + 12 <= png.Length;)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            fields.Add(new($"length of chunk {Encoding.ASCII.GetString(png, at + 4, 4)}", at, 4, true));
            chunks.Add((at, length));
            at += 12 + length;
        }
        return ([.. fields], chunks);
    }

    /// <summary>Recomputes the CRC of every chunk still wholly present (over its original extent).</summary>
    private static byte[] FixCrcs(byte[] png, List<(int Start, int Length)> chunks)
    {
        var bytes = (byte[])png.Clone();
        foreach (var (start, length) in chunks)
            if (start + 12 + length <= bytes.Length)
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(start + 8 + length), Crc32(bytes.AsSpan(start + 4, 4 + length)));
        return bytes;
    }

    /// <summary>The CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffffffff;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
        }
        return ~crc;
    }
}
