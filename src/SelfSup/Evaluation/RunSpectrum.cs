using SelfSup.Models;
using SelfSup.Data;
using SelfSup.Training;
using TorchSharp;

namespace SelfSup.Evaluation;

/// <summary>
/// <c>selfsup spectrum</c>: loads a run's checkpoint, computes backbone features of the held-out split
/// (the test split; for an unlabeled source, the pretraining split), at most <c>images</c> of them chosen by
/// <see cref="SeededSample.ForEvaluation"/> with the run seed (the rule periodic evaluation uses, so the
/// default 5000 are the images of the run's periodic spectra), projects them, and returns both covariance
/// spectra (<see cref="Spectrum"/>).
/// </summary>
public static class RunSpectrum
{
    public static RunSpectrumResult Compute(RunDirectory run, string? checkpoint = null, int images = PeriodicEvaluator.SpectrumImages,
        Action<int, int>? onBatch = null)
    {
        if (images < 2) throw new SelfSupError($"`images` {images} must be at least 2 (a covariance needs several samples)");
        using var loaded = RunEncoder.Load(run, checkpoint);
        var (config, encoder) = (loaded.Config, loaded.Encoder);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var device = Devices.Resolve(config.Device);
        var options = config.ToDataOptions();
        string split = DatasetCatalog.HasLabels(config.Dataset) ? DatasetCatalog.TestSplit(config.Dataset) : DatasetCatalog.PretrainSplit(config.Dataset, options);
        using var data = PeriodicEvaluator.Limit(DatasetCatalog.Open(config.Dataset, config.DataDir, split, options), images, config.Seed);
        encoder.to(device);
        Models.MemoryLayout.UseChannelsLast(encoder, config.ChannelsLast);
        encoder.Precision = config.ReadoutPrecision();   // as the run's periodic spectra were taken
        using var features = FeatureExtractor.Extract(encoder, data, config.ResolveAugmentation(), device, seed: config.Seed, onBatch: onBatch);
        var (f, e) = PeriodicEvaluator.Spectra(encoder, features, device);
        return new RunSpectrumResult(f, e, split, data.Count, loaded.Checkpoint);
    }
}
