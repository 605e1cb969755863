using System.CommandLine;
using SelfSup.Data;

namespace SelfSup.Cli;

/// <summary>The flags that say how a data source is read, shared by pretrain, views and data info.</summary>
public sealed class DataSourceOptions
{
    private static readonly DataOptions D = DataOptions.Default;

    public readonly Option<string> Label = new("--label") { Description = "CIFAR-100 labels: fine (100 classes) or coarse (20)", DefaultValueFactory = _ => D.Label };
    public readonly Option<string?> ClassList = new("--class-list") { Description = "imagefolder: file with one class folder name per line (e.g. the ImageNet-100 classes)" };
    public readonly Option<int> CacheSide = new("--cache-side") { Description = "imagefolder/folder: short side of the images in the decoded cache", DefaultValueFactory = _ => D.CacheSide };
    public readonly Option<string?> PretrainSplit = new("--pretrain-split") { Description = "Split to pretrain on (stl10: unlabeled [default], unlabeled+train or train)" };

    public IEnumerable<Option> All => [Label, ClassList, CacheSide, PretrainSplit];

    public void AddTo(Command command, bool includePretrainSplit = true)
    {
        foreach (var option in All)
            if (includePretrainSplit || option != PretrainSplit) command.Options.Add(option);
    }

    /// <summary>The options as given; the class list becomes a full path so a run can be probed from anywhere.</summary>
    public DataOptions Read(ParseResult r)
    {
        string? classList = r.GetValue(ClassList);
        return new DataOptions(r.GetValue(Label)!, classList is null ? null : Path.GetFullPath(classList), r.GetValue(CacheSide),
            r.GetValue(PretrainSplit));
    }
}
