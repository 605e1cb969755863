using SelfSup.Native;
using System.Diagnostics;
using System.IO.Compression;

namespace SelfSup.Tests;

/// <summary>
/// Writes small Fashion-MNIST-format datasets (idx, gzip) whose images depend on the label
/// (a bright bar whose position encodes the class, plus noise), so a probe can learn them.
/// </summary>
public static class SyntheticFashionMnist
{
    public static void Write(string dir, int trainCount = 96, int testCount = 40, int seed = 1, int side = 28)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        WriteSplit(dir, "train", trainCount, side, rng);
        WriteSplit(dir, "t10k", testCount, side, rng);
    }

    private static void WriteSplit(string dir, string prefix, int count, int side, Random rng)
    {
        var pixels = new byte[count * side * side];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 10;
            labels[i] = (byte)label;
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    int bar = 2 + label * 2;
                    bool on = y >= bar && y < bar + 3;
                    pixels[i * side * side + y * side + x] = (byte)Math.Clamp((on ? 200 : 30) + rng.Next(-25, 26), 0, 255);
                }
        }
        WriteIdx(System.IO.Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), pixels, [count, side, side]);
        WriteIdx(System.IO.Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), labels, [count]);
    }

    public static void WriteIdx(string path, byte[] data, int[] dims, bool gzip = true)
    {
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        stream.Write([0, 0, 0x08, (byte)dims.Length]);
        foreach (var d in dims) stream.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        stream.Write(data);
    }
}
