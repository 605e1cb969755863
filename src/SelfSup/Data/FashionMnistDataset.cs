using System.Buffers.Binary;
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
            throw new SelfSupError($"data directory '{dataDir}' does not exist; install Debian's dataset-fashion-mnist (make setup) or pass `data_dir` DIR with the Fashion-MNIST .gz files");
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
        throw new SelfSupError($"'{Path.Combine(dir, stem + ".gz")}' not found; `data_dir` must hold the four Fashion-MNIST idx files (.gz or uncompressed)");
    }
}
