using System.CommandLine;
using System.Text.Json;
using SelfSup.Data;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup data download cifar10|cifar100|stl10 --to DIR</c> (resumable, MD5-verified) and
/// <c>selfsup data info --dataset NAME --data-dir DIR [--json]</c> (format, split sizes, classes, image size).
/// </summary>
public static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Download the paper's datasets and inspect data sources.");
        data.Subcommands.Add(CreateDownload());
        data.Subcommands.Add(CreateInfo());
        return data;
    }

    private static Command CreateDownload()
    {
        var dataset = new Argument<string>("DATASET") { Description = "cifar10, cifar100 or stl10" };
        dataset.AcceptOnlyFromAmong([.. DatasetDownloader.Sources.Keys]);
        var to = new Option<string>("--to") { Description = "Folder to put the archive in (created if missing)", Required = true };
        var url = new Option<string?>("--url") { Description = "Download from this address instead of the official one (a mirror)" };
        var md5 = new Option<string?>("--md5") { Description = "Expected MD5 instead of the published one (for test archives)", Hidden = true };
        var command = new Command("download", "Download a dataset's official binary archive: resumable after an interruption, MD5-verified. " +
                                              "The archive stays packed; --data-dir DIR reads it as it is.");
        command.Arguments.Add(dataset);
        command.Options.Add(to); command.Options.Add(url); command.Options.Add(md5);
        command.SetAction(r =>
        {
            string name = r.GetValue(dataset)!, dir = r.GetValue(to)!;
            var source = DatasetDownloader.Sources[name];
            Console.WriteLine($"{name}: {r.GetValue(url) ?? source.Url} → {Path.Combine(dir, source.FileName)}");
            var result = ProgressDisplay.Run("download", report => DatasetDownloader.Download(name, dir, r.GetValue(url), r.GetValue(md5),
                (have, total) => report($"{source.FileName} (MB)", have / 1e6, (total ?? have) / 1e6)));
            Console.WriteLine(result.AlreadyPresent
                ? $"{result.Path} is already there (MD5 verified)"
                : $"downloaded {result.Path} ({result.Bytes / 1e6:F1} MB{(result.Resumed ? ", resumed" : "")}; MD5 verified)");
            return 0;
        });
        return command;
    }

    private static Command CreateInfo()
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset: " + string.Join(", ", DatasetCatalog.Names), DefaultValueFactory = _ => "fashion-mnist" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder (or archive) holding the dataset (default: the dataset's standard place)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: format, splits, classes, image_size" };
        var source = new DataSourceOptions();
        var command = new Command("info", "Show a data source's format, splits with image counts, number of classes and image size.");
        command.Options.Add(dataset); command.Options.Add(dataDir); command.Options.Add(json);
        source.AddTo(command, includePretrainSplit: false);
        command.SetAction(r =>
        {
            var info = DatasetInfo.Describe(r.GetValue(dataset)!, r.GetValue(dataDir), source.Read(r));
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    dataset = info.Dataset, format = info.Format, source = info.Source, packed = info.Packed,
                    splits = info.Splits, classes = info.Classes, image_size = info.ImageSize,
                }));
                return 0;
            }
            Console.WriteLine($"dataset     {info.Dataset}");
            Console.WriteLine($"format      {info.Format}{(info.Packed ? " (packed .tar.gz)" : "")}");
            Console.WriteLine($"source      {info.Source}");
            Console.WriteLine($"splits      {string.Join(", ", info.Splits.Select(s => $"{s.Key} {s.Value}"))}");
            Console.WriteLine($"classes     {(info.Classes == 0 ? "none (unlabeled)" : info.Classes)}");
            Console.WriteLine($"image size  {string.Join("x", info.ImageSize)}");
            return 0;
        });
        return command;
    }
}
