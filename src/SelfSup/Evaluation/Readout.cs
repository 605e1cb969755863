using SelfSup.Native;
using SelfSup.Models;
using System.Diagnostics;
using SelfSup.Data;
using SelfSup.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Evaluation;

/// <summary>
/// Linear readout of a run: load the newest checkpoint, freeze the backbone, compute features of the
/// train and test splits once, train the linear probe (and kNN), and record the accuracies in
/// <c>summary.json</c>. Baselines: the same probe on raw pixels and on a randomly initialised encoder
/// (same seed, same architecture, no training).
/// </summary>
public static class Readout
{
    public static ReadoutResult Run(RunDirectory run, ReadoutOptions options, Action<string, int, int>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        NativeHeap.KeepFreedMemory();
        using var loaded = RunEncoder.Load(run, options.Checkpoint);   // the newest checkpoint unless one is named
        var (config, checkpoint, encoder) = (loaded.Config, loaded.Checkpoint, loaded.Encoder);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var device = Devices.Resolve(config.Device);

        DatasetCatalog.RequireLabels(config.Dataset, "the linear probe");
        var dataOptions = config.ToDataOptions();
        using var train = DatasetCatalog.Open(config.Dataset, config.DataDir, DatasetCatalog.TrainSplit(config.Dataset), dataOptions);
        using var test = DatasetCatalog.Open(config.Dataset, config.DataDir, DatasetCatalog.TestSplit(config.Dataset), dataOptions);
        if (train.ClassCount == 0) throw new SelfSupError($"dataset '{config.Dataset}' has no labels; the linear probe needs a labelled dataset");
        var preset = config.ResolveAugmentation();
        using var yTrain = torch.tensor(train.Labels.Select(l => (long)l).ToArray());
        using var yTest = torch.tensor(test.Labels.Select(l => (long)l).ToArray());
        var settings = new ProbeSettings(Epochs: options.ProbeEpochs, Seed: config.Seed);

        (double probe, double? knn) Evaluate(string label, Func<ImageDataset, Tensor> features)
        {
            progress?.Invoke($"{label}: features", 0, 1);
            using var fTrain = features(train);
            using var fTest = features(test);
            double top1 = LinearProbe.TrainAndTest(fTrain, yTrain, fTest, yTest, train.ClassCount, settings, device,
                (e, total) => progress?.Invoke($"{label}: linear probe", e, total));
            double? knn = options.Knn ? KnnClassifier.Evaluate(fTrain, yTrain, fTest, yTest, train.ClassCount) : null;
            return (top1, knn);
        }

        encoder.to(device);
        Models.MemoryLayout.UseChannelsLast(encoder, config.ChannelsLast);
        var precision = config.ReadoutPrecision(options.Precision);
        encoder.Precision = precision;
        var (probeTop1, knnTop1) = Evaluate("SSL encoder", d => FeatureExtractor.Extract(encoder, d, preset, device,
            options.BatchSize, options.AverageViews, config.Seed, (b, n) => progress?.Invoke($"SSL encoder: features ({d.Split})", b, n)));

        double? pixelsTop1 = null, randomTop1 = null;
        if (options.Baselines)
        {
            pixelsTop1 = Evaluate("raw pixels", d => FeatureExtractor.Pixels(d, preset)).probe;
            torch.manual_seed(config.Seed);
            using var random = new Encoder(config.EncoderFor(train.Channels));
            random.to(device);
            Models.MemoryLayout.UseChannelsLast(random, config.ChannelsLast);
            random.Precision = precision;
            randomTop1 = Evaluate("random encoder", d => FeatureExtractor.Extract(random, d, preset, device,
                options.BatchSize, options.AverageViews, config.Seed, (b, n) => progress?.Invoke($"random encoder: features ({d.Split})", b, n))).probe;
        }

        var result = new ReadoutResult(probeTop1, knnTop1, pixelsTop1, randomTop1, clock.Elapsed.TotalSeconds, checkpoint);
        var values = new Dictionary<string, object?>
        {
            ["probe_top1"] = probeTop1,
            ["knn_top1"] = knnTop1,
            ["probe_epochs"] = options.ProbeEpochs,
            ["probe_average_views"] = options.AverageViews,
            ["probe_precision"] = Models.PrecisionSetting.Name(precision),
            ["probe_checkpoint"] = Path.GetRelativePath(run.Path, checkpoint),
            ["probe_seconds"] = result.Seconds,
        };
        if (pixelsTop1 is not null) values["baseline_pixels_top1"] = pixelsTop1;
        if (randomTop1 is not null) values["baseline_random_top1"] = randomTop1;
        run.UpdateSummary(values);
        return result;
    }
}
