using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Data;

/// <summary>
/// Fashion-MNIST in its original idx format, gzip-compressed
/// (<c>train-images-idx3-ubyte.gz</c>, <c>train-labels-idx1-ubyte.gz</c>,
/// <c>t10k-images-idx3-ubyte.gz</c>, <c>t10k-labels-idx1-ubyte.gz</c>).
/// Debian's <c>dataset-fashion-mnist</c> package installs them under
/// <see cref="DefaultDirectory"/>. Images are 1×28×28 uint8, 10 classes.
/// </summary>
public static class FashionMnistDataset
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads <paramref name="split"/> ("train" or "test") from <paramref name="dataDir"/>.</summary>
    public static ImageDataset Load(string dataDir, string split)
    {
        string prefix = split switch
        {
            "train" => "train",
            "test" => "t10k",
            _ => throw new SelfSupError($"fashion-mnist has splits 'train' and 'test', not '{split}'"),
        };
        if (!Directory.Exists(dataDir))
            throw new SelfSupError($"data directory '{dataDir}' does not exist; install Debian's dataset-fashion-mnist (make setup) or pass --data-dir DIR with the Fashion-MNIST .gz files");
        string imagesPath = FindFile(dataDir, $"{prefix}-images-idx3-ubyte");
        string labelsPath = FindFile(dataDir, $"{prefix}-labels-idx1-ubyte");

        var (pixels, dims) = IdxFile.Read(imagesPath, expectedRank: 3);
        var (labelBytes, labelDims) = IdxFile.Read(labelsPath, expectedRank: 1);
        if (dims[0] != labelDims[0])
            throw new SelfSupError($"'{imagesPath}' has {dims[0]} images but '{labelsPath}' has {labelDims[0]} labels; the files do not belong together — reinstall them");
        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = labelBytes[i];
            if (labels[i] > 9) throw new SelfSupError($"'{labelsPath}': label {labels[i]} at index {i} is outside 0..9; the file is corrupt — reinstall it");
        }
        var images = torch.tensor(pixels, ScalarType.Byte).reshape(dims[0], 1, dims[1], dims[2]);
        return new ImageDataset("fashion-mnist", split, images, labels, classCount: 10, ClassNames);
    }

    private static string FindFile(string dir, string stem)
    {
        foreach (var candidate in new[] { stem + ".gz", stem })
        {
            var path = Path.Combine(dir, candidate);
            if (File.Exists(path)) return path;
        }
        throw new SelfSupError($"'{Path.Combine(dir, stem + ".gz")}' not found; --data-dir must hold the four Fashion-MNIST idx files (.gz or uncompressed)");
    }
}

/// <summary>
/// Reader for the idx format of (Fashion-)MNIST: big-endian magic 0x00 0x00 type rank,
/// then <c>rank</c> big-endian int32 sizes, then the uint8 data. Gzip is detected by its magic bytes.
/// </summary>
public static class IdxFile
{
    public static (byte[] Data, int[] Dims) Read(string path, int expectedRank)
    {
        byte[] raw;
        try
        {
            using var file = File.OpenRead(path);
            Stream stream = file;
            var head = new byte[2];
            int got = file.Read(head, 0, 2);
            file.Position = 0;
            if (got == 2 && head[0] == 0x1f && head[1] == 0x8b) stream = new GZipStream(file, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            raw = buffer.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new SelfSupError($"'{path}' is not a readable idx/gzip file ({e.Message.TrimEnd('.')}); the download is probably corrupt — delete it and reinstall (apt-get install --reinstall dataset-fashion-mnist)");
        }
        if (raw.Length < 4 || raw[0] != 0 || raw[1] != 0 || raw[2] != 0x08)
            throw new SelfSupError($"'{path}' does not start with the idx magic for uint8 data (00 00 08 rank); it is not an idx file — check --data-dir");
        int rank = raw[3];
        if (rank != expectedRank)
            throw new SelfSupError($"'{path}' holds a rank-{rank} idx array; expected rank {expectedRank} (images are rank 3, labels rank 1) — the file names may be swapped");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            int o = 4 + 4 * i;
            if (raw.Length < o + 4) throw new SelfSupError($"'{path}' is truncated inside its header; reinstall it");
            dims[i] = (raw[o] << 24) | (raw[o + 1] << 16) | (raw[o + 2] << 8) | raw[o + 3];
            count *= dims[i];
        }
        int offset = 4 + 4 * rank;
        if (raw.Length - offset != count)
            throw new SelfSupError($"'{path}' should hold {count} bytes of data after its header but has {raw.Length - offset}; the file is truncated or corrupt — reinstall it");
        return (raw.AsSpan(offset).ToArray(), dims);
    }
}
