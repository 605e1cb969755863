namespace SelfSup.Data;

/// <summary>
/// Opens a dataset split by name: the one entry point the trainer, the probe and the CLI use.
/// <list type="table">
/// <listheader><term>name</term><description>format; splits (pretraining split first)</description></listheader>
/// <item><term>fashion-mnist</term><description>idx (gzip); train, test — the default</description></item>
/// <item><term>cifar10, cifar100</term><description>binary version, extracted or .tar.gz; train, test</description></item>
/// <item><term>stl10</term><description>binary version, extracted or .tar.gz; unlabeled (or unlabeled+train) to pretrain, train/test to probe</description></item>
/// <item><term>imagefolder</term><description>ROOT/train/&lt;class&gt;/, ROOT/val/&lt;class&gt;/ JPEG/PNG; train, val</description></item>
/// <item><term>folder</term><description>unlabelled JPEG/PNG images; train (pretraining only)</description></item>
/// </list>
/// </summary>
public static class DatasetCatalog
{
    public static readonly string[] Names = ["fashion-mnist", "cifar10", "cifar100", "stl10", "imagefolder", "folder"];

    /// <summary>The directory used when <c>data_dir</c> is not given.</summary>
    public static string DefaultDataDir(string dataset) => dataset switch
    {
        "fashion-mnist" => FashionMnistDataset.DefaultDirectory,
        _ => Path.Combine("data", dataset),
    };

    /// <summary>Loads <paramref name="split"/> of <paramref name="dataset"/> with the default <see cref="DataOptions"/>.</summary>
    public static ImageDataset Open(string dataset, string? dataDir, string split) => Open(dataset, dataDir, split, DataOptions.Default);

    /// <summary>Loads <paramref name="split"/> of <paramref name="dataset"/>.</summary>
    public static ImageDataset Open(string dataset, string? dataDir, string split, DataOptions options)
    {
        options.Validate(dataset);
        string dir = dataDir ?? DefaultDataDir(dataset);
        return dataset switch
        {
            "fashion-mnist" => FashionMnistDataset.Load(dir, split),
            "cifar10" or "cifar100" => CifarBinaryDataset.Load(dataset, dir, split, options.Label),
            "stl10" => Stl10BinaryDataset.Load(dir, split),
            "imagefolder" => ImageFolderDataset.Load(dir, split, options.CacheSide, options.ClassList),
            "folder" => split == "train" ? ImageFolderDataset.LoadUnlabeled(dir, options.CacheSide)
                : throw new SelfSupError($"dataset 'folder' is unlabeled images with one split, 'train', not '{split}'"),
            _ => throw new SelfSupError($"unknown dataset '{dataset}'; use one of: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>Whether the dataset has labels (the linear probe and kNN need them).</summary>
    public static bool HasLabels(string dataset) => dataset != "folder";

    /// <summary>The split pretraining reads: <see cref="DataOptions.PretrainSplit"/>, else the dataset's own.</summary>
    public static string PretrainSplit(string dataset, DataOptions? options = null) =>
        options?.PretrainSplit ?? (dataset == "stl10" ? "unlabeled" : "train");

    /// <summary>Splits <c>pretrain_split</c> may name.</summary>
    public static IReadOnlyList<string> PretrainSplits(string dataset) => dataset == "stl10" ? ["unlabeled", "unlabeled+train", "train"] : ["train"];

    /// <summary>The split the probe trains on.</summary>
    public static string TrainSplit(string dataset) => "train";

    /// <summary>The split the probe reports accuracy on.</summary>
    public static string TestSplit(string dataset) => dataset switch
    {
        "imagefolder" => "val",
        _ => "test",
    };

    /// <summary>Refuses unlabelled datasets with a message that says what to do instead.</summary>
    public static void RequireLabels(string dataset, string what)
    {
        if (!HasLabels(dataset))
            throw new SelfSupError($"dataset '{dataset}' is unlabeled images, for pretraining only; {what} needs labels — " +
                "evaluate on a labelled source (cifar10, cifar100, stl10, imagefolder, fashion-mnist) or pretrain with `no_probe`");
    }
}
