using System.CommandLine;
using System.Globalization;
using SelfSup.Bench;

namespace SelfSup.Cli;

/// <summary><c>selfsup bench data</c>: cache read rate vs training-step consumption, and ImageFolder cached vs decoded epochs.</summary>
public static class BenchDataCommand
{
    public static Command Create()
    {
        var d = new DataBenchmarkOptions();
        var cifarDir = new Option<string?>("--cifar-dir") { Description = "Real CIFAR-10 binary data (default: synthetic)" };
        var cifarImages = new Option<int>("--cifar-images") { DefaultValueFactory = _ => d.CifarImages, Description = "Synthetic CIFAR images" };
        var folderDir = new Option<string?>("--folder-dir") { Description = "Real ImageFolder tree with train/<class>/ (default: synthetic)" };
        var folderImages = new Option<int>("--folder-images") { DefaultValueFactory = _ => d.FolderImages, Description = "Synthetic 500x375 JPEGs" };
        var side = new Option<int>("--cache-side") { DefaultValueFactory = _ => d.CacheSide, Description = "Cached short side" };
        var stepRate = new Option<double?>("--step-images-per-s") { Description = "Skip measuring the training step; use this rate" };
        var stepSteps = new Option<int>("--step-steps") { DefaultValueFactory = _ => d.StepSteps, Description = "Timed training steps" };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => d.Threads, Description = "CPU threads (0 = all)" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => d.Device, Description = "Device of the training step the cache must feed: cpu or cuda" };
        var command = new Command("data", "Data pipeline: CIFAR images/s from the memory-mapped cache vs images/s the bench training step consumes (target >= 20x), " +
                                          "and an ImageFolder epoch from the cache vs decoding every JPEG (target >= 5x). Last line feed_ratio=<x> folder_speedup=<x>.");
        foreach (var o in new Option[] { cifarDir, cifarImages, folderDir, folderImages, side, stepRate, stepSteps, threads, device }) command.Options.Add(o);
        command.SetAction(r =>
        {
            var o = new DataBenchmarkOptions
            {
                CifarDir = r.GetValue(cifarDir), CifarImages = r.GetValue(cifarImages), FolderDir = r.GetValue(folderDir), FolderImages = r.GetValue(folderImages),
                CacheSide = r.GetValue(side), StepImagesPerSecond = r.GetValue(stepRate), StepSteps = r.GetValue(stepSteps), Threads = r.GetValue(threads), Device = r.GetValue(device)!,
            };
            var result = DataBenchmark.Run(o, Console.WriteLine);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"cache feeds {result.CacheReadImagesPerSecond:N0} images/s vs step consumes {result.StepImagesPerSecond:F1} images/s: {result.FeedRatio:N0}x (target >= 20x)");
            Console.WriteLine($"imagefolder epoch: decoding {result.FolderDecodeEpochSeconds:F3} s vs cache {result.FolderCachedEpochSeconds:F4} s: {result.FolderSpeedup:N0}x (target >= 5x)");
            Console.WriteLine($"feed_ratio={result.FeedRatio.ToString("F1", inv)} folder_speedup={result.FolderSpeedup.ToString("F1", inv)}");
            return 0;
        });
        return command;
    }
}
