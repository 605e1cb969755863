namespace SelfSup.Data;

/// <summary>
/// What a source holds, found without building any cache: its format, the image count of every split,
/// the number of classes and the C×H×W size of the images as the trainer sees them (for image folders,
/// the cached square side). <c>selfsup data info</c> prints it.
/// </summary>
public sealed record DatasetInfo(string Dataset, string Format, string Source, bool Packed, IReadOnlyDictionary<string, int> Splits,
    int Classes, int[] ImageSize)
{
    public static DatasetInfo Describe(string dataset, string? dataDir, DataOptions? options = null)
    {
        options ??= DataOptions.Default;
        options.Validate(dataset);
        string dir = dataDir ?? DatasetCatalog.DefaultDataDir(dataset);
        string source = Path.GetFullPath(dir);
        switch (dataset)
        {
            case "fashion-mnist":
            {
                using var train = FashionMnistDataset.Load(dir, "train");
                using var test = FashionMnistDataset.Load(dir, "test");
                return new(dataset, "idx", source, false, new Dictionary<string, int> { ["train"] = train.Count, ["test"] = test.Count },
                    10, [1, train.Height, train.Width]);
            }
            case "cifar10" or "cifar100":
            {
                int classes = dataset == "cifar10" ? 10 : options.Label == "coarse" ? 20 : 100;
                return new(dataset, $"{dataset}-binary", source, CifarBinaryDataset.IsPacked(dataset, dir),
                    CifarBinaryDataset.Counts(dataset, dir), classes, [3, 32, 32]);
            }
            case "stl10":
            {
                var counts = Stl10BinaryDataset.Counts(dir, out bool packed);
                return new(dataset, "stl10-binary", source, packed, counts, 10, [3, Stl10BinaryDataset.Side, Stl10BinaryDataset.Side]);
            }
            case "imagefolder":
            {
                var splits = new Dictionary<string, int>();
                IReadOnlyList<string> classes = [];
                foreach (var split in ImageFolderDataset.Splits)
                {
                    var (c, files) = ImageFolderDataset.Scan(dir, split, options.ClassList);
                    splits[split] = files.Count;
                    classes = c;
                }
                return new(dataset, "imagefolder", source, false, splits, classes.Count, [3, options.CacheSide, options.CacheSide]);
            }
            case "folder":
                return new(dataset, "folder", source, false, new Dictionary<string, int> { ["train"] = ImageFolderDataset.ScanUnlabeled(dir).Count },
                    0, [3, options.CacheSide, options.CacheSide]);
            default:
                throw new SelfSupError($"unknown dataset '{dataset}'; use one of: {string.Join(", ", DatasetCatalog.Names)}");
        }
    }
}
