using SelfSup.Data;
using SelfSup.Training;
using TorchSharp;

namespace SelfSup.Evaluation;

/// <summary>The spectra of one checkpoint: backbone features and projector embeddings of a held-out split.</summary>
public sealed record RunSpectrumResult(SpectrumResult Features, SpectrumResult Embeddings, string Split, int Images, string Checkpoint);

/// <summary>
/// <c>selfsup spectrum</c>: loads a run's checkpoint, computes backbone features of the held-out split
/// (the test split; for an unlabeled source, a seeded sample of the pretraining split), projects them, and
/// returns both covariance spectra (<see cref="Spectrum"/>).
/// </summary>
public static class RunSpectrum
{
    public static RunSpectrumResult Compute(RunDirectory run, string? checkpoint = null, int images = PeriodicEvaluator.SpectrumImages,
        Action<int, int>? onBatch = null)
    {
        if (images < 2) throw new SelfSupError($"--images {images} must be at least 2 (a covariance needs several samples)");
        var config = run.ReadConfig();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var device = Pretrainer.DeviceFor(config.Device);
        checkpoint ??= Checkpoint.Latest(run)
            ?? throw new SelfSupError($"run '{run.Path}' has no finished checkpoint yet; finish or resume pretraining first (selfsup pretrain --out {run.Path} --resume)");
        var options = config.ToDataOptions();
        string split = DatasetCatalog.HasLabels(config.Dataset) ? DatasetCatalog.TestSplit(config.Dataset) : DatasetCatalog.PretrainSplit(config.Dataset, options);
        using var all = DatasetCatalog.Open(config.Dataset, config.DataDir, split, options);
        ImageDataset data = all;
        ImageDataset? sample = null;
        if (all.Count > images)
        {
            var indices = Enumerable.Range(0, all.Count).ToArray();
            new Random(config.Seed ^ 0x5EED).Shuffle(indices);
            sample = all.Subset(indices[..images].Order().ToArray());
            data = sample;
        }
        try
        {
            torch.manual_seed(config.Seed);
            using var encoder = Pretrainer.BuildEncoder(config, data.Channels);
            Checkpoint.LoadModel(checkpoint, encoder);
            encoder.to(device);
            Models.MemoryLayout.UseChannelsLast(encoder, config.ChannelsLast);
            encoder.eval();
            using var features = FeatureExtractor.Extract(encoder.Backbone, data, config.ResolveAugmentation(), device, seed: config.Seed, onBatch: onBatch);
            var (f, e) = PeriodicEvaluator.Spectra(encoder, features, device);
            return new RunSpectrumResult(f, e, split, data.Count, checkpoint);
        }
        finally { sample?.Dispose(); }
    }
}
