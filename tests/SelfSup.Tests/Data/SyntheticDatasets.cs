using System.Formats.Tar;
using System.IO.Compression;
using SkiaSharp;

namespace SelfSup.Tests.Data;

/// <summary>
/// Writes small datasets in the real on-disk formats (CIFAR binary records, STL-10 column-major binaries,
/// ImageFolder trees of JPEG/PNG, .tar.gz archives) whose pixels are a known function of the image index,
/// so a loader's output can be checked byte for byte.
/// </summary>
public static class SyntheticDatasets
{
    /// <summary>Pixel (c, y, x) of image <paramref name="i"/>: not symmetric in x and y, so a transposition shows.</summary>
    public static byte Pixel(int i, int c, int y, int x) => (byte)((i * 13 + c * 71 + y * 5 + x * 2) % 256);

    /// <summary>
    /// CIFAR-10 binary: data_batch_1..5.bin with <paramref name="perBatch"/> records each and test_batch.bin with
    /// <paramref name="test"/>; record = label, then R, G, B 32×32 planes. Train image k has label k % 10 and pixels Pixel(k, …);
    /// test image k has label k % 10 and pixels Pixel(1000 + k, …). Returns member name → bytes.
    /// </summary>
    public static Dictionary<string, byte[]> Cifar10(int perBatch = 8, int test = 10)
    {
        var files = new Dictionary<string, byte[]>();
        for (int b = 0; b < 5; b++)
            files[$"data_batch_{b + 1}.bin"] = CifarRecords(Enumerable.Range(b * perBatch, perBatch).Select(k => (k, new[] { (byte)(k % 10) })));
        files["test_batch.bin"] = CifarRecords(Enumerable.Range(0, test).Select(k => (1000 + k, new[] { (byte)(k % 10) })));
        files["batches.meta.txt"] = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"u8.ToArray();
        return files;
    }

    /// <summary>CIFAR-100 binary: train.bin/test.bin, record = coarse label (k % 20), fine label (k % 100), planes.</summary>
    public static Dictionary<string, byte[]> Cifar100(int train = 40, int test = 20) => new()
    {
        ["train.bin"] = CifarRecords(Enumerable.Range(0, train).Select(k => (k, new[] { (byte)(k % 20), (byte)(k % 100) }))),
        ["test.bin"] = CifarRecords(Enumerable.Range(0, test).Select(k => (1000 + k, new[] { (byte)(k % 20), (byte)(k % 100) }))),
        ["coarse_label_names.txt"] = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Enumerable.Range(0, 20).Select(i => $"super{i}"))),
        ["fine_label_names.txt"] = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Enumerable.Range(0, 100).Select(i => $"fine{i}"))),
    };

    private static byte[] CifarRecords(IEnumerable<(int Image, byte[] Labels)> records)
    {
        using var ms = new MemoryStream();
        foreach (var (image, labels) in records)
        {
            ms.Write(labels);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        ms.WriteByte(Pixel(image, c, y, x));
        }
        return ms.ToArray();
    }

    /// <summary>
    /// STL-10 binary: {train,test}_X.bin + _y.bin (labels 1..10, image k has label k % 10 + 1) and unlabeled_X.bin;
    /// every 3×96×96 image is stored column-major. Train image k has pixels Pixel(k), test Pixel(1000 + k), unlabeled Pixel(2000 + k).
    /// </summary>
    public static Dictionary<string, byte[]> Stl10(int train = 20, int test = 10, int unlabeled = 30) => new()
    {
        ["train_X.bin"] = StlImages(0, train), ["train_y.bin"] = StlLabels(train),
        ["test_X.bin"] = StlImages(1000, test), ["test_y.bin"] = StlLabels(test),
        ["unlabeled_X.bin"] = StlImages(2000, unlabeled),
        ["class_names.txt"] = "airplane\nbird\ncar\ncat\ndeer\ndog\nhorse\nmonkey\nship\ntruck\n"u8.ToArray(),
    };

    private static byte[] StlImages(int first, int count)
    {
        const int s = 96;
        var data = new byte[count * 3 * s * s];
        for (int k = 0; k < count; k++)
            for (int c = 0; c < 3; c++)
                for (int x = 0; x < s; x++)
                    for (int y = 0; y < s; y++)
                        data[k * 3 * s * s + c * s * s + x * s + y] = Pixel(first + k, c, y, x);   // column-major: x outer
        return data;
    }

    private static byte[] StlLabels(int count) => Enumerable.Range(0, count).Select(k => (byte)(k % 10 + 1)).ToArray();

    /// <summary>Writes the members into <paramref name="dir"/>.</summary>
    public static void WriteFolder(string dir, Dictionary<string, byte[]> members)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, bytes) in members) File.WriteAllBytes(Path.Combine(dir, name), bytes);
    }

    /// <summary>Writes a .tar.gz holding the members under <paramref name="folder"/>/, like the official archives.</summary>
    public static void WriteTarGz(string path, string folder, Dictionary<string, byte[]> members)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Ustar);
        tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, folder + "/"));
        foreach (var (name, bytes) in members.OrderByDescending(m => m.Key))      // not in the loader's order, on purpose
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"{folder}/{name}") { DataStream = new MemoryStream(bytes) });
    }

    /// <summary>An RGB image of <paramref name="w"/>×<paramref name="h"/> in one colour with slight noise, as JPEG or PNG bytes.</summary>
    public static byte[] EncodedImage(int w, int h, SKColor color, bool png = false, int seed = 0)
    {
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int n = rng.Next(-6, 7);
                bitmap.SetPixel(x, y, new SKColor((byte)Math.Clamp(color.Red + n, 0, 255), (byte)Math.Clamp(color.Green + n, 0, 255), (byte)Math.Clamp(color.Blue + n, 0, 255)));
            }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    public static readonly SKColor[] ClassColors = [new(220, 40, 40), new(40, 200, 60), new(40, 60, 220), new(230, 220, 40)];

    /// <summary>
    /// An ImageFolder tree: ROOT/train/&lt;class&gt;/ and ROOT/val/&lt;class&gt;/ for each of <paramref name="classes"/>,
    /// each image one colour (ClassColors[label]), sizes varying around 60×45, alternately JPEG and PNG.
    /// </summary>
    public static void WriteImageFolder(string root, string[] classes, int trainPerClass = 6, int valPerClass = 3)
    {
        for (int label = 0; label < classes.Length; label++)
            foreach (var (split, count) in new[] { ("train", trainPerClass), ("val", valPerClass) })
            {
                string dir = Path.Combine(root, split, classes[label]);
                Directory.CreateDirectory(dir);
                for (int k = 0; k < count; k++)
                {
                    bool png = k % 2 == 1;
                    File.WriteAllBytes(Path.Combine(dir, $"img{k:D3}.{(png ? "png" : "jpg")}"),
                        EncodedImage(50 + 7 * k, 40 + 3 * k, ClassColors[label % ClassColors.Length], png, seed: label * 100 + k));
                }
            }
    }
}
