namespace SelfSup.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100 in their binary version (<c>cifar-10-binary.tar.gz</c>,
/// <c>cifar-100-binary.tar.gz</c>), extracted or still packed. Each record is the label byte(s) —
/// CIFAR-10: one label; CIFAR-100: the coarse then the fine label — followed by 3072 bytes: the red,
/// green and blue 32×32 planes, rows top to bottom. Train: <c>data_batch_1..5.bin</c> (CIFAR-10) or
/// <c>train.bin</c> (CIFAR-100), 50 000 images; test: <c>test_batch.bin</c> / <c>test.bin</c>, 10 000.
/// Read once into an <see cref="ImageCache"/> and memory-mapped from then on.
/// </summary>
public static class CifarBinaryDataset
{
    public const int ImageBytes = 3 * 32 * 32;

    private sealed record Layout(string Dataset, string Title, string Archive, string Folder, string[] Train, string[] Test, int LabelBytes);

    private static readonly Layout Cifar10 = new("cifar10", "the CIFAR-10 binary archive (cifar-10-binary.tar.gz)", "cifar-10-binary.tar.gz",
        "cifar-10-batches-bin", [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")], ["test_batch.bin"], 1);

    private static readonly Layout Cifar100 = new("cifar100", "the CIFAR-100 binary archive (cifar-100-binary.tar.gz)", "cifar-100-binary.tar.gz",
        "cifar-100-binary", ["train.bin"], ["test.bin"], 2);

    /// <summary>The class names of CIFAR-10, in label order (used when batches.meta.txt is absent).</summary>
    public static readonly string[] Cifar10Classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Loads <paramref name="split"/> ("train" or "test") of "cifar10" or "cifar100".</summary>
    /// <param name="dataset">"cifar10" or "cifar100".</param>
    /// <param name="dataDir">Folder holding the binary archive or its extracted folder.</param>
    /// <param name="split">"train" or "test".</param>
    /// <param name="label">CIFAR-100: "fine" (100 classes) or "coarse" (20); ignored for CIFAR-10.</param>
    public static ImageDataset Load(string dataset, string dataDir, string split, string label = "fine")
    {
        var layout = dataset switch
        {
            "cifar10" => Cifar10,
            "cifar100" => Cifar100,
            _ => throw new ArgumentException($"not a CIFAR dataset: {dataset}"),
        };
        string[] members = split switch
        {
            "train" => layout.Train,
            "test" => layout.Test,
            _ => throw new SelfSupError($"{dataset} has splits 'train' and 'test', not '{split}'"),
        };
        bool coarse = layout.LabelBytes == 2 && label == "coarse";
        var files = DatasetFiles.Locate(dataDir, dataset, layout.Archive, layout.Folder, layout.Train[0]);
        string namesMember = layout.LabelBytes == 1 ? "batches.meta.txt" : coarse ? "coarse_label_names.txt" : "fine_label_names.txt";
        int classes = layout.LabelBytes == 1 ? 10 : coarse ? 20 : 100;
        var key = files.AddTo(new CacheKey("cifar-binary").Add(dataset, split, coarse ? "coarse" : "fine"), [.. members, namesMember]);

        return ImageCache.OpenOrBuild(dataset, split, files.Root, key, builder =>
        {
            int recordBytes = layout.LabelBytes + ImageBytes;
            var sizes = files.IsPacked ? files.List() : members.ToDictionary(m => m, m => File.Exists(Path.Combine(files.Folder!, m)) ? new FileInfo(Path.Combine(files.Folder!, m)).Length : -1);
            var start = new Dictionary<string, long>();
            long total = 0;
            foreach (var m in members)
            {
                if (!sizes.TryGetValue(m, out long size) || size < 0)
                    throw new SelfSupError($"{files.Describe(m)} not found; it is not {layout.Title} — check `data_dir` or download it again");
                if (size == 0 || size % recordBytes != 0)
                    throw new SelfSupError($"{files.Describe(m)} holds {size} bytes, not a whole number of {recordBytes}-byte records " +
                        $"({layout.LabelBytes} label byte{(layout.LabelBytes == 2 ? "s" : "")} + {ImageBytes} pixel bytes); the file is truncated or not {dataset} — download it again");
                start[m] = total;
                total += size / recordBytes;
            }
            string[] names = layout.LabelBytes == 1 ? Cifar10Classes : Enumerable.Range(0, classes).Select(i => i.ToString()).ToArray();
            builder.Begin(total, 3, 32, 32, names);
            var record = new byte[recordBytes];
            files.Read(members, (name, data, length) =>
            {
                if (name == namesMember)
                {
                    var lines = DatasetFiles.Lines(data);
                    if (lines.Length == classes) builder.SetClassNames(lines);
                    return;
                }
                long index = start[name];
                for (long r = 0; r < length / recordBytes; r++, index++)
                {
                    data.ReadExactly(record);
                    int y = record[coarse ? 0 : layout.LabelBytes - 1];
                    if (y >= classes)
                        throw new SelfSupError($"{files.Describe(name)}: record {r} has label {y}, outside 0..{classes - 1}; the file is corrupt or not {dataset} — download it again");
                    builder.Write(index, record.AsSpan(layout.LabelBytes), y);
                }
            }, layout.Title, optional: [namesMember]);
        }, cacheName: dataset + (coarse ? "-coarse" : ""));
    }

    /// <summary>Image counts per split, from the file sizes (packed: reads through the archive once).</summary>
    public static Dictionary<string, int> Counts(string dataset, string dataDir)
    {
        var layout = dataset == "cifar10" ? Cifar10 : Cifar100;
        var files = DatasetFiles.Locate(dataDir, dataset, layout.Archive, layout.Folder, layout.Train[0]);
        var sizes = files.List();
        int recordBytes = layout.LabelBytes + ImageBytes;
        int Count(string[] members) => (int)members.Sum(m => sizes.TryGetValue(m, out long s) ? s / recordBytes
            : throw new SelfSupError($"{files.Describe(m)} not found; it is not {layout.Title}"));
        return new() { ["train"] = Count(layout.Train), ["test"] = Count(layout.Test) };
    }

    /// <summary>Whether the source is packed (for <c>data info</c>).</summary>
    public static bool IsPacked(string dataset, string dataDir)
    {
        var layout = dataset == "cifar10" ? Cifar10 : Cifar100;
        return DatasetFiles.Locate(dataDir, dataset, layout.Archive, layout.Folder, layout.Train[0]).IsPacked;
    }
}
