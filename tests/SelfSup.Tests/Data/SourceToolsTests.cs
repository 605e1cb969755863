using SelfSup.Data;
using Xunit;

namespace SelfSup.Tests.Data;

/// <summary>Stratified subsets, DatasetInfo, and the preset each source gets by default.</summary>
public sealed class SourceToolsTests
{
    [Fact]
    public void StratifiedSubsetKeepsClassProportionsAndIsSeeded()
    {
        var labels = Enumerable.Range(0, 300).Select(i => i < 200 ? 0 : i < 280 ? 1 : -1).ToArray();   // 200 / 80 / 20 unlabelled
        var a = FractionSubset.ChooseStratified(labels, 0.25, seed: 5);
        Assert.Equal(50, a.Count(i => labels[i] == 0));
        Assert.Equal(20, a.Count(i => labels[i] == 1));
        Assert.Equal(5, a.Count(i => labels[i] == -1));
        Assert.Equal(a, FractionSubset.ChooseStratified(labels, 0.25, seed: 5));
        Assert.NotEqual(a, FractionSubset.ChooseStratified(labels, 0.25, seed: 6));
        Assert.True(a.SequenceEqual(a.Order()));
        Assert.Equal(Enumerable.Range(0, 300), FractionSubset.ChooseStratified(labels, 1.0, seed: 5));
        Assert.Equal(FractionSubset.Choose(300, 0.25, 5), FractionSubset.Choose(labels, 0.25, 5, stratified: false));
    }

    [Fact]
    public void InfoReportsFormatSplitsClassesAndImageSize()
    {
        using var dir = new TempDir();
        SyntheticDatasets.WriteTarGz(dir.File("c10/cifar-10-binary.tar.gz"), "cifar-10-batches-bin", SyntheticDatasets.Cifar10(perBatch: 3, test: 4));
        var cifar = DatasetInfo.Describe("cifar10", dir.File("c10"));
        Assert.Equal("cifar10-binary", cifar.Format);
        Assert.True(cifar.Packed);
        Assert.Equal(15, cifar.Splits["train"]);
        Assert.Equal(4, cifar.Splits["test"]);
        Assert.Equal(10, cifar.Classes);
        Assert.Equal([3, 32, 32], cifar.ImageSize);
        Assert.False(Directory.Exists(dir.File("c10/.selfsup-cache")));                   // info builds no cache

        SyntheticDatasets.WriteFolder(dir.File("c100"), SyntheticDatasets.Cifar100(train: 6, test: 2));
        Assert.Equal(20, DatasetInfo.Describe("cifar100", dir.File("c100"), new DataOptions(Label: "coarse")).Classes);

        SyntheticDatasets.WriteFolder(dir.File("stl"), SyntheticDatasets.Stl10(train: 3, test: 2, unlabeled: 5));
        var stl = DatasetInfo.Describe("stl10", dir.File("stl"));
        Assert.Equal(new Dictionary<string, int> { ["train"] = 3, ["test"] = 2, ["unlabeled"] = 5 }, stl.Splits);
        Assert.Equal([3, 96, 96], stl.ImageSize);

        SyntheticDatasets.WriteImageFolder(dir.File("tree"), ["x", "y", "z"], trainPerClass: 2, valPerClass: 1);
        var tree = DatasetInfo.Describe("imagefolder", dir.File("tree"), new DataOptions(CacheSide: 64));
        Assert.Equal(6, tree.Splits["train"]);
        Assert.Equal(3, tree.Splits["val"]);
        Assert.Equal(3, tree.Classes);
        Assert.Equal([3, 64, 64], tree.ImageSize);
    }

    [Theory]
    [InlineData("cifar10", "cifar", 32)]
    [InlineData("cifar100", "cifar", 32)]
    [InlineData("stl10", "stl10", 64)]
    [InlineData("imagefolder", "imagenet100", 128)]
    [InlineData("folder", "imagenet100", 128)]
    [InlineData("fashion-mnist", "fashion-mnist", 28)]
    public void EachSourceGetsItsSpecPresetByDefault(string dataset, string preset, int crop)
    {
        var config = new SelfSup.Training.TrainConfig { Dataset = dataset };
        var p = SelfSup.Views.AugmentationPreset.ForName(config.AugmentPreset);
        Assert.Equal(preset, p.Name);
        Assert.Equal(crop, p.CropSize);
    }

    [Fact]
    public void BadDataOptionsNameTheFlag()
    {
        Assert.Contains("`cache_side`", Assert.Throws<SelfSupError>(() => new DataOptions(CacheSide: 2).Validate("imagefolder")).Message);
        Assert.Contains("`class_list`", Assert.Throws<SelfSupError>(() => new DataOptions(ClassList: "x.txt").Validate("cifar10")).Message);
        Assert.Contains("`dataset`", Assert.Throws<SelfSupError>(() => DataOptions.Default.Validate("mnist")).Message);
    }
}
