namespace SelfSup.Data;

/// <summary>
/// How a source is read, beyond its name and folder: CIFAR-100 label granularity, the class subset of an
/// image folder, the stored side of cached folder images, and the STL-10 pretraining split.
/// </summary>
/// <param name="Label">CIFAR-100 labels: "fine" (100 classes, default) or "coarse" (20 superclasses).</param>
/// <param name="ClassList">imagefolder: a file with one class folder name per line (how ImageNet-100 is defined); null = every class folder.</param>
/// <param name="CacheSide">imagefolder/folder: images are stored in the cache resized to this short side and centre-cropped square.</param>
/// <param name="PretrainSplit">The split pretraining reads; null = the dataset's own (stl10: "unlabeled", others: "train").</param>
public sealed record DataOptions(string Label = "fine", string? ClassList = null, int CacheSide = 144, string? PretrainSplit = null)
{
    public static DataOptions Default { get; } = new();

    /// <summary>Label granularities accepted by <see cref="Label"/>.</summary>
    public static readonly string[] Labels = ["fine", "coarse"];

    /// <summary>Throws a <see cref="SelfSupError"/> naming the first option that does not fit <paramref name="dataset"/>.</summary>
    public void Validate(string dataset)
    {
        if (!DatasetCatalog.Names.Contains(dataset))
            throw new SelfSupError($"unknown `dataset` '{dataset}'; use one of: {string.Join(", ", DatasetCatalog.Names)}");
        if (!Labels.Contains(Label))
            throw new SelfSupError($"`label` '{Label}' is not a label granularity; use fine or coarse (CIFAR-100 only)");
        if (Label == "coarse" && dataset != "cifar100")
            throw new SelfSupError($"`label` coarse selects CIFAR-100's 20 superclasses; dataset '{dataset}' has only one kind of label — drop `label`");
        if (ClassList is not null && dataset != "imagefolder")
            throw new SelfSupError($"`class_list` picks classes of an imagefolder tree; dataset '{dataset}' does not take one — drop it or use `dataset` imagefolder");
        if (CacheSide is < 8 or > 1024)
            throw new SelfSupError($"`cache_side` {CacheSide} is out of range; use 8..1024 (default 144, for 128-pixel crops)");
        if (PretrainSplit is not null && !DatasetCatalog.PretrainSplits(dataset).Contains(PretrainSplit))
            throw new SelfSupError($"`pretrain_split` '{PretrainSplit}' is not available for {dataset}; use one of: {string.Join(", ", DatasetCatalog.PretrainSplits(dataset))}");
    }
}
