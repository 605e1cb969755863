namespace SelfSup.Data;

/// <summary>
/// STL-10 in its binary version (<c>stl10_binary.tar.gz</c>), extracted or still packed:
/// <c>train_X.bin</c>/<c>train_y.bin</c> (5000 labelled), <c>test_X.bin</c>/<c>test_y.bin</c> (8000),
/// <c>unlabeled_X.bin</c> (100 000). Images are 3×96×96 uint8 stored column-major — each channel's
/// 96×96 plane is written column by column, i.e. transposed — and are turned row-major here. Labels
/// are one byte each, 1..10, and become 0..9. Pretraining reads <c>unlabeled</c> (or
/// <c>unlabeled+train</c>: the unlabeled images, label −1, followed by the train images); the probe
/// reads <c>train</c> and <c>test</c>. Read once into an <see cref="ImageCache"/>, memory-mapped after.
/// </summary>
public static class Stl10BinaryDataset
{
    public const int Side = 96;
    public const int ImageBytes = 3 * Side * Side;
    public const string Archive = "stl10_binary.tar.gz";
    public const string Folder = "stl10_binary";
    private const string Title = "the STL-10 binary archive (stl10_binary.tar.gz)";

    public static readonly string[] Splits = ["train", "test", "unlabeled", "unlabeled+train"];

    /// <summary>The class names of STL-10, in label order (used when class_names.txt is absent).</summary>
    public static readonly string[] Classes = ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"];

    /// <summary>Loads <paramref name="split"/>: "train", "test", "unlabeled" or "unlabeled+train".</summary>
    public static ImageDataset Load(string dataDir, string split)
    {
        if (!Splits.Contains(split)) throw new SelfSupError($"stl10 has splits {string.Join(", ", Splits)}, not '{split}'");
        var parts = split.Split('+');
        var members = parts.SelectMany(p => p == "unlabeled" ? new[] { "unlabeled_X.bin" } : [$"{p}_X.bin", $"{p}_y.bin"]).ToArray();
        var files = DatasetFiles.Locate(dataDir, "stl10", Archive, Folder, "train_X.bin");
        var key = files.AddTo(new CacheKey("stl10-binary").Add(split), [.. members, "class_names.txt"]);

        return ImageCache.OpenOrBuild("stl10", split, files.Root, key, builder =>
        {
            var sizes = files.IsPacked ? files.List() : members.ToDictionary(m => m, m => File.Exists(Path.Combine(files.Folder!, m)) ? new FileInfo(Path.Combine(files.Folder!, m)).Length : -1);
            long Size(string m) => sizes.TryGetValue(m, out long s) && s >= 0 ? s
                : throw new SelfSupError($"{files.Describe(m)} not found; it is not {Title} — check `data_dir` or download it again");
            var start = new Dictionary<string, long>();
            long total = 0;
            foreach (var part in parts)
            {
                string x = part == "unlabeled" ? "unlabeled_X.bin" : $"{part}_X.bin";
                long size = Size(x);
                if (size == 0 || size % ImageBytes != 0)
                    throw new SelfSupError($"{files.Describe(x)} holds {size} bytes, not a whole number of {ImageBytes}-byte images (3×96×96); the file is truncated — download it again");
                long count = size / ImageBytes;
                if (part != "unlabeled" && Size($"{part}_y.bin") != count)
                    throw new SelfSupError($"{files.Describe($"{part}_y.bin")} has {Size($"{part}_y.bin")} labels but {files.Describe(x)} has {count} images; the files do not belong together — download them again");
                start[x] = total;
                start[$"{part}_y.bin"] = total;
                total += count;
            }
            bool labelled = parts.Any(p => p != "unlabeled");
            builder.Begin(total, 3, Side, Side, labelled ? Classes : []);
            var labels = new Dictionary<long, int>();        // index → label, filled from the _y files in whatever order they come
            var record = new byte[ImageBytes];
            var image = new byte[ImageBytes];
            files.Read(members, (name, data, length) =>
            {
                if (name == "class_names.txt")
                {
                    var lines = DatasetFiles.Lines(data);
                    if (labelled && lines.Length == Classes.Length) builder.SetClassNames(lines);
                    return;
                }
                long first = start[name];
                if (name.EndsWith("_y.bin"))
                {
                    var y = new byte[length];
                    data.ReadExactly(y);
                    for (int i = 0; i < y.Length; i++)
                    {
                        if (y[i] is < 1 or > 10)
                            throw new SelfSupError($"{files.Describe(name)}: label {y[i]} at index {i} is outside 1..10; the file is corrupt — download it again");
                        labels[first + i] = y[i] - 1;
                    }
                    return;
                }
                bool unlabeledPart = name == "unlabeled_X.bin";
                for (long i = 0; i < length / ImageBytes; i++)
                {
                    data.ReadExactly(record);
                    Transpose(record, image);
                    builder.Write(first + i, image, unlabeledPart ? -1 : 0);
                }
            }, Title, optional: ["class_names.txt"]);
            foreach (var (index, label) in labels) builder.SetLabel(index, label);
        });
    }

    /// <summary>Column-major 3×96×96 (each plane transposed, as stored) → row-major CHW.</summary>
    public static void Transpose(ReadOnlySpan<byte> columnMajor, Span<byte> chw)
    {
        const int plane = Side * Side;
        for (int c = 0; c < 3; c++)
        {
            var src = columnMajor.Slice(c * plane, plane);
            var dst = chw.Slice(c * plane, plane);
            for (int x = 0; x < Side; x++)
                for (int y = 0; y < Side; y++)
                    dst[y * Side + x] = src[x * Side + y];
        }
    }

    /// <summary>Image counts per split, from the member sizes (packed: reads through the archive once).</summary>
    public static Dictionary<string, int> Counts(string dataDir, out bool packed)
    {
        var files = DatasetFiles.Locate(dataDir, "stl10", Archive, Folder, "train_X.bin");
        packed = files.IsPacked;
        var sizes = files.List();
        var counts = new Dictionary<string, int>();
        foreach (var split in new[] { "train", "test", "unlabeled" })
            if (sizes.TryGetValue($"{split}_X.bin", out long s)) counts[split] = (int)(s / ImageBytes);
        return counts;
    }
}
