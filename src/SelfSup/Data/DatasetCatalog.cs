namespace SelfSup.Data;

/// <summary>
/// Opens a dataset split by name: the one entry point the trainer, the probe and the CLI use.
/// </summary>
public static class DatasetCatalog
{
    public static readonly string[] Names = ["fashion-mnist"];

    /// <summary>The directory used when <c>--data-dir</c> is not given.</summary>
    public static string DefaultDataDir(string dataset) => dataset switch
    {
        "fashion-mnist" => FashionMnistDataset.DefaultDirectory,
        _ => Path.Combine("data", dataset),
    };

    /// <summary>Loads <paramref name="split"/> of <paramref name="dataset"/>.</summary>
    public static ImageDataset Open(string dataset, string? dataDir, string split)
    {
        string dir = dataDir ?? DefaultDataDir(dataset);
        return dataset switch
        {
            "fashion-mnist" => FashionMnistDataset.Load(dir, split),
            _ => throw new SelfSupError($"unknown dataset '{dataset}'; use one of: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>The split used for pretraining and for the probe's training set.</summary>
    public static string TrainSplit(string dataset) => "train";

    /// <summary>The split the probe reports accuracy on.</summary>
    public static string TestSplit(string dataset) => "test";
}
