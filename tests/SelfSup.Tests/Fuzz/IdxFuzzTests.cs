using SelfSup.Data;
using Xunit;
using Xunit.Abstractions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile idx files (Fashion-MNIST), raw and gzip-compressed: every mutated images or labels file must give
/// either the dataset its bytes describe or a one-line error naming it.
/// </summary>
public sealed class IdxFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000, Count = 5, Side = 28;

    private static readonly FuzzField[] ImageFields =
        [new("magic", 0, 4, true), new("rank", 3, 1), new("count", 4, 4, true), new("rows", 8, 4, true), new("columns", 12, 4, true)];

    private static readonly FuzzField[] LabelFields = [new("magic", 0, 4, true), new("rank", 3, 1), new("count", 4, 4, true)];

    [Fact]
    public void MutatedRawIdxFilesAreReadCorrectlyOrRejectedClearly() => Run(gzip: false, seed: 11);

    [Fact]
    public void MutatedGzipIdxFilesAreReadCorrectlyOrRejectedClearly() => Run(gzip: true, seed: 12);

    private void Run(bool gzip, int seed)
    {
        using var dir = new FuzzDir();
        var (images, labels) = Original();
        var mutator = new Mutator(seed);
        var run = new FuzzRun(gzip ? "idx (gzip)" : "idx (raw)", output);
        var crafted = Crafted(images);
        for (int i = 0; i < crafted.Count + Cases; i++)
        {
            string caseDir = dir.File($"case{i}");
            Directory.CreateDirectory(caseDir);
            bool mutateImages = i < crafted.Count || mutator.Random.Next(2) == 0;
            var (target, fields) = mutateImages ? (images, ImageFields) : (labels, LabelFields);
            // gzip: half the cases damage the idx inside and compress it, half damage the compressed bytes
            bool inside = !gzip || i < crafted.Count || mutator.Random.Next(2) == 0;
            var mutation = i < crafted.Count ? crafted[i] : inside ? mutator.Mutate(target, fields) : mutator.Mutate(Gzip.Compress(target), []);
            byte[] onDisk = gzip && inside ? Gzip.Compress(mutation.Bytes) : mutation.Bytes;
            string ext = gzip ? ".gz" : "";
            string imagesPath = Path.Combine(caseDir, "train-images-idx3-ubyte" + ext), labelsPath = Path.Combine(caseDir, "train-labels-idx1-ubyte" + ext);
            File.WriteAllBytes(imagesPath, mutateImages ? onDisk : gzip ? Gzip.Compress(images) : images);
            File.WriteAllBytes(labelsPath, mutateImages ? (gzip ? Gzip.Compress(labels) : labels) : onDisk);

            run.Case(mutation with { Description = (mutateImages ? "images: " : "labels: ") + mutation.Description },
                mutateImages ? imagesPath : labelsPath, () =>
            {
                using var data = FashionMnistDataset.Load(caseDir, "train");
                return Check(data, File.ReadAllBytes(imagesPath), File.ReadAllBytes(labelsPath));
            });
            Directory.Delete(caseDir, recursive: true);
        }
        run.Finish();
    }

    /// <summary>
    /// Image files with headers chosen by hand: sizes whose product fits the data although some are negative, sizes
    /// whose product overflows 64 bits to a small number, a header that declares a full-size dataset in a few bytes.
    /// </summary>
    private static List<Mutation> Crafted(byte[] images)
    {
        Mutation Header(string what, int[] dims, int dataBytes)
        {
            var bytes = new List<byte> { 0, 0, 8, (byte)dims.Length };
            foreach (int d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
            bytes.AddRange(images.Skip(16).Take(dataBytes));
            return new Mutation([.. bytes], "crafted", what);
        }
        return
        [
            Header("sizes 5 × −28 × −28 (product = the data length)", [Count, -Side, -Side], Count * Side * Side),
            Header("sizes 5 × 28 × −28", [Count, Side, -Side], Count * Side * Side),
            Header("sizes 2^30 × 2^30 × 16 (product overflows to 0)", [1 << 30, 1 << 30, 16], 0),
            Header("sizes 2^31−1 cubed", [int.MaxValue, int.MaxValue, int.MaxValue], Count * Side * Side),
            Header("60000 × 28 × 28 declared, 3920 bytes present", [60000, Side, Side], Count * Side * Side),
            Header("sizes 0 × 28 × 28 with no data", [0, Side, Side], 0),
            Header("sizes 5 × 0 × 28 with no data", [Count, 0, Side], 0),
        ];
    }

    /// <summary>What is wrong with an accepted dataset, judged from the bytes on disk by an independent idx parse; null when right.</summary>
    private static string? Check(ImageDataset data, byte[] imagesFile, byte[] labelsFile)
    {
        var images = Parse(Gzip.DecompressIfGzip(imagesFile), 3);
        var labels = Parse(Gzip.DecompressIfGzip(labelsFile), 1);
        if (images is null || labels is null) return "accepted a file whose header does not match its length";
        var (pixels, dims) = images.Value;
        var (labelBytes, labelDims) = labels.Value;
        if (dims[0] != labelDims[0]) return $"accepted {dims[0]} images with {labelDims[0]} labels";
        if (labelBytes.Any(l => l > 9)) return "accepted a label outside 0..9";
        if (!data.Images.shape.SequenceEqual([dims[0], 1L, dims[1], dims[2]])) return $"shape [{string.Join(",", data.Images.shape)}] but header says {string.Join("×", dims)}";
        if (!data.Images.contiguous().data<byte>().ToArray().SequenceEqual(pixels)) return "pixels differ from the file's payload";
        if (!data.Labels.SequenceEqual(labelBytes.Select(b => (int)b))) return "labels differ from the file's payload";
        return null;
    }

    private static (byte[] Payload, long[] Dims)? Parse(byte[]? raw, int rank)
    {
        if (raw is null || raw.Length < 4 + 4 * rank || raw[0] != 0 || raw[1] != 0 || raw[2] != 8 || raw[3] != rank) return null;
        var dims = new long[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = ((long)raw[4 + 4 * d] << 24) | ((long)raw[5 + 4 * d] << 16) | ((long)raw[6 + 4 * d] << 8) | raw[7 + 4 * d];
            count *= dims[d];
        }
        return raw.Length - (4 + 4 * rank) == count ? (raw[(4 + 4 * rank)..], dims) : null;
    }


    private static (byte[] Images, byte[] Labels) Original()
    {
        using var dir = new FuzzDir();
        var pixels = Enumerable.Range(0, Count * Side * Side).Select(i => (byte)(i * 7 % 251)).ToArray();
        var labels = Enumerable.Range(0, Count).Select(i => (byte)(i % 10)).ToArray();
        SyntheticFashionMnist.WriteIdx(dir.File("i"), pixels, [Count, Side, Side], gzip: false);
        SyntheticFashionMnist.WriteIdx(dir.File("l"), labels, [Count], gzip: false);
        return (File.ReadAllBytes(dir.File("i")), File.ReadAllBytes(dir.File("l")));
    }
}
