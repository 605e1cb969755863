using System.Diagnostics;
using SelfSup.Data;
using SkiaSharp;
using TorchSharp;

namespace SelfSup.Bench;

/// <summary>Configuration of <see cref="DataBenchmark"/>.</summary>
public sealed record DataBenchmarkOptions
{
    /// <summary>A folder with real CIFAR-10 (binary, extracted or packed); null = write a synthetic one of <see cref="CifarImages"/> images.</summary>
    public string? CifarDir { get; init; }
    public int CifarImages { get; init; } = 10_000;
    /// <summary>An ImageFolder tree (train/&lt;class&gt;/); null = write <see cref="FolderImages"/> synthetic JPEGs of 500×375.</summary>
    public string? FolderDir { get; init; }
    public int FolderImages { get; init; } = 200;
    public int CacheSide { get; init; } = 144;
    /// <summary>Images per gathered batch when reading the cache.</summary>
    public int Batch { get; init; } = 256;
    /// <summary>Epochs of shuffled cache reads to time.</summary>
    public int ReadEpochs { get; init; } = 3;
    /// <summary>Images per second the training step consumes; null = measure it with <see cref="StepBenchmark"/> (its defaults).</summary>
    public double? StepImagesPerSecond { get; init; }
    public int StepSteps { get; init; } = 5;
    public int Threads { get; init; }
    /// <summary>Device of the training step the cache is measured against (cpu, cuda).</summary>
    public string Device { get; init; } = "cpu";
}

/// <summary>What <see cref="DataBenchmark.Run"/> measured.</summary>
public sealed record DataBenchmarkResult(
    int CifarImages, double CifarCacheBuildSeconds, double CifarCacheOpenSeconds, double CacheReadImagesPerSecond, double StepImagesPerSecond,
    int FolderImages, double FolderDecodeEpochSeconds, double FolderCacheBuildSeconds, double FolderCachedEpochSeconds)
{
    /// <summary>How many times faster the cache feeds CIFAR images than the training step consumes them (target ≥ 20).</summary>
    public double FeedRatio => CacheReadImagesPerSecond / StepImagesPerSecond;

    /// <summary>How many times faster an ImageFolder epoch is from the cache than decoding every image (target ≥ 5).</summary>
    public double FolderSpeedup => FolderDecodeEpochSeconds / FolderCachedEpochSeconds;
}

/// <summary>
/// Is the data pipeline fast enough? (1) CIFAR-size images read from the memory-mapped cache in shuffled
/// batches, against the rate the benchmark training step (<see cref="StepBenchmark"/>: ResNet-18 width 64,
/// 128 images × 2 views of 32 px) consumes them. (2) One ImageFolder epoch decoding every JPEG (decode,
/// resize, crop — what a loader without the cache does each epoch) against one epoch from the cache.
/// Synthetic data is written to a temporary folder and deleted afterwards.
/// </summary>
public static class DataBenchmark
{
    public static DataBenchmarkResult Run(DataBenchmarkOptions o, Action<string>? log = null)
    {
        if (o.Threads > 0) torch.set_num_threads(o.Threads);
        string temp = Path.Combine(Path.GetTempPath(), "selfsup-bench-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            // 1. CIFAR: build the cache (first use), reopen it (memory-map), read shuffled batches
            string cifarDir = o.CifarDir ?? SyntheticCifar.Write(Path.Combine(temp, "cifar10"), o.CifarImages);
            var clock = Stopwatch.StartNew();
            DatasetCatalog.Open("cifar10", cifarDir, "train").Dispose();
            double build = clock.Elapsed.TotalSeconds;
            clock.Restart();
            using var cifar = DatasetCatalog.Open("cifar10", cifarDir, "train");
            double open = clock.Elapsed.TotalSeconds;
            double readSeconds = TimeEpochs(cifar, o.Batch, o.ReadEpochs);
            double readRate = (double)cifar.Count * o.ReadEpochs / readSeconds;
            log?.Invoke($"cifar cache: {cifar.Count} images, build {build:F2} s (first use), open {open * 1000:F1} ms (memory-map), read {readRate:N0} images/s");

            double stepRate = o.StepImagesPerSecond ?? MeasureStep(o, log);

            // 2. ImageFolder: decode every image (each epoch without a cache) vs an epoch from the cache
            string folderDir = o.FolderDir ?? WriteFolder(Path.Combine(temp, "folder"), o.FolderImages);
            var (_, files) = ImageFolderDataset.Scan(folderDir, "train");
            var paths = files.Select(f => f.Path).ToList();
            clock.Restart();
            long checksum = 0;
            ImageFolderDataset.DecodeAll(paths, o.CacheSide, (_, chw) => checksum += chw[0]);
            double decodeEpoch = clock.Elapsed.TotalSeconds;
            clock.Restart();
            DatasetCatalog.Open("imagefolder", folderDir, "train", new DataOptions(CacheSide: o.CacheSide)).Dispose();
            double folderBuild = clock.Elapsed.TotalSeconds;
            using var folder = DatasetCatalog.Open("imagefolder", folderDir, "train", new DataOptions(CacheSide: o.CacheSide));
            double cachedEpoch = TimeEpochs(folder, o.Batch, o.ReadEpochs) / o.ReadEpochs;
            log?.Invoke($"imagefolder: {paths.Count} images → {o.CacheSide}², decode every epoch {decodeEpoch:F3} s, cache build {folderBuild:F3} s, cached epoch {cachedEpoch:F4} s");

            return new DataBenchmarkResult(cifar.Count, build, open, readRate, stepRate, paths.Count, decodeEpoch, folderBuild, cachedEpoch);
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Seconds to gather every image <paramref name="epochs"/> times in shuffled batches (as the trainer does).</summary>
    private static double TimeEpochs(ImageDataset data, int batch, int epochs)
    {
        var clock = Stopwatch.StartNew();
        long sink = 0;
        for (int e = 0; e < epochs; e++)
        {
            var order = Enumerable.Range(0, data.Count).ToArray();
            new Random(e).Shuffle(order);
            for (int start = 0; start < order.Length; start += batch)
            {
                using var images = data.Gather(order.AsSpan(start, Math.Min(batch, order.Length - start)));
                sink += images.shape[0];
            }
        }
        return sink > 0 ? clock.Elapsed.TotalSeconds : double.NaN;
    }

    private static double MeasureStep(DataBenchmarkOptions o, Action<string>? log)
    {
        var step = new StepBenchmarkOptions { Steps = o.StepSteps, Warmup = 1, Threads = o.Threads, Device = o.Device };
        var (viewsPerSecond, _) = StepBenchmark.Run(step);
        double images = viewsPerSecond / step.Views;
        log?.Invoke($"bench step on {o.Device}: {images:F1} images/s ({viewsPerSecond:F1} views/s; {step.Model} width {step.Width}, {step.Batch} images × {step.Views} views of {step.Image} px)");
        return images;
    }

    /// <summary>Synthetic ImageFolder tree: <paramref name="count"/> photo-like JPEGs of 500×375 (ImageNet's typical size) in two classes.</summary>
    public static string WriteFolder(string root, int count)
    {
        var rng = new Random(0);
        for (int i = 0; i < count; i++)
        {
            string dir = Path.Combine(root, "train", $"class{i % 2}");
            Directory.CreateDirectory(dir);
            using var bitmap = new SKBitmap(500, 375);
            using (var canvas = new SKCanvas(bitmap))
            {
                using var paint = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(500, 375),
                    [new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)), new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256))],
                    SKShaderTileMode.Clamp) };
                canvas.DrawRect(0, 0, 500, 375, paint);
                using var dot = new SKPaint { IsAntialias = true };
                for (int k = 0; k < 300; k++)
                {
                    dot.Color = new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256), 160);
                    canvas.DrawCircle(rng.Next(500), rng.Next(375), rng.Next(2, 30), dot);
                }
            }
            using var image = SKImage.FromBitmap(bitmap);
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(dir, $"img{i:D5}.jpg"), jpeg.ToArray());
        }
        return root;
    }
}
