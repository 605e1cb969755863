using System.Diagnostics;
using System.Text.Json;
using SelfSup.Data;
using SelfSup.Models;
using SelfSup.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Evaluation;

/// <summary>
/// Periodic evaluation during pretraining (<see cref="Training.TrainConfig.EvalEvery"/> <c>K</c>): after every K-th epoch and after the last
/// one, compute frozen features of the train and test splits, train a short linear probe
/// (<see cref="Training.TrainConfig.EvalProbeEpochs"/>), run kNN, take the spectra of the test features and embeddings, and append
/// one <see cref="EvalRecord"/> to <c>evals.jsonl</c> (and its scalars and the embedding spectrum to TensorBoard,
/// <see cref="TensorBoardLog"/>). Attach <see cref="OnEpochEnd"/> to
/// <see cref="Pretrainer.OnEpochEnd"/>, which stops the pretraining clock while it runs.
/// The spectra are of the same held-out images as <c>selfsup spectrum</c> takes for the run
/// (<see cref="RunSpectrum"/>): <see cref="SeededSample.ForEvaluation"/>(split size, spectrum images, run seed).
/// </summary>
/// <param name="config">The run's training config (evaluation settings, data, seed).</param>
/// <param name="run">The run directory evals.jsonl and TensorBoard go to.</param>
/// <param name="progress">Reports (what, done, total) while features and the probe run.</param>
/// <param name="spectrumImages">Held-out images for the spectra (default <see cref="SpectrumImages"/>).</param>
public sealed class PeriodicEvaluator(TrainConfig config, RunDirectory run, Action<string, int, int>? progress = null,
    int spectrumImages = PeriodicEvaluator.SpectrumImages) : IDisposable
{
    public const string FileName = "evals.jsonl";

    /// <summary>Held-out images used for the spectra (the seeded <see cref="SeededSample.ForEvaluation"/> sample when the split is larger).</summary>
    public const int SpectrumImages = 5000;

    private ImageDataset? train, test;
    private Tensor? yTrain, yTest;
    private TensorBoardLog? tensorBoard;  // RUN/tb/eval/, opened at the first evaluation

    /// <summary>Whether the epoch just finished is due for evaluation.</summary>
    public static bool IsDue(TrainConfig config, TrainingState state) =>
        config.EvalEvery > 0 && (state.Epoch % config.EvalEvery == 0 || state.Finished);

    public void OnEpochEnd(Encoder encoder, TrainingState state)
    {
        if (!IsDue(config, state)) return;
        var (record, embeddings) = EvaluateWithSpectrum(encoder, state);
        File.AppendAllText(run.EvalsPath, JsonSerializer.Serialize(record, EvalRecord.Json) + "\n");
        (tensorBoard ??= TensorBoardLog.ForEvaluation(run)).Evaluation(record, embeddings.Eigenvalues);
    }

    /// <summary>Evaluates the encoder now (leaves it in eval mode; the trainer switches back).</summary>
    public EvalRecord Evaluate(Encoder encoder, TrainingState state) => EvaluateWithSpectrum(encoder, state).Record;

    /// <summary>The evaluation record and the spectrum of the projector's embeddings it summarises.</summary>
    private (EvalRecord Record, SpectrumResult Embeddings) EvaluateWithSpectrum(Encoder encoder, TrainingState state)
    {
        var clock = Stopwatch.StartNew();
        Open();
        var device = Devices.Resolve(config.Device);
        var preset = config.ResolveAugmentation();
        encoder.eval();
        bool labelled = yTrain is not null;

        using var fTest = FeatureExtractor.Extract(encoder, test!, preset, device, seed: config.Seed,
            onBatch: (b, n) => progress?.Invoke($"eval epoch {state.Epoch}: test features", b, n));
        double? probe = null, knn = null;
        if (labelled)
        {
            using var fTrain = FeatureExtractor.Extract(encoder, train!, preset, device, seed: config.Seed,
                onBatch: (b, n) => progress?.Invoke($"eval epoch {state.Epoch}: train features", b, n));
            probe = LinearProbe.TrainAndTest(fTrain, yTrain!, fTest, yTest!, train!.ClassCount,
                new ProbeSettings(Epochs: config.EvalProbeEpochs, Seed: config.Seed), device,
                (e, n) => progress?.Invoke($"eval epoch {state.Epoch}: linear probe", e, n));
            knn = KnnClassifier.Evaluate(fTrain, yTrain!, fTest, yTest!, train.ClassCount);
        }
        // labelled: the probe and kNN use the whole test split, the spectra its seeded sample; unlabelled: test is that sample
        using var spectrumFeatures = fTest.index_select(0, torch.tensor(SeededSample.ForEvaluation(test!.Count, spectrumImages, config.Seed)));
        var (features, embeddings) = Spectra(encoder, spectrumFeatures, device);
        var record = new EvalRecord
        {
            Epoch = state.Epoch, Step = state.Step, PretrainSeconds = Math.Round(state.PretrainSeconds, 3), CpuSeconds = Math.Round(state.CpuSeconds, 3), ImagesSeen = state.ImagesSeen,
            ProbeTop1 = probe, KnnTop1 = knn,
            Alpha = features.AlphaOrNull, EffectiveRank = features.EffectiveRank,
            EmbeddingAlpha = embeddings.AlphaOrNull, EmbeddingEffectiveRank = embeddings.EffectiveRank,
            ProbeEpochs = labelled ? config.EvalProbeEpochs : 0, TrainImages = labelled ? train!.Count : 0,
            EvalSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
        };
        return (record, embeddings);
    }

    /// <summary>Spectra of backbone features (all rows given: the caller picks the sample) and of the projector's embeddings of them.</summary>
    public static (SpectrumResult Features, SpectrumResult Embeddings) Spectra(Encoder encoder, Tensor features, Device device)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var sample = features;
        var projector = Projector(encoder);
        bool wasTraining = projector.training;
        projector.eval();
        var embeddings = projector.forward(sample.to(device)).cpu();
        if (wasTraining) projector.train();
        return (Spectrum.OfFeatures(sample), Spectrum.OfFeatures(embeddings));
    }

    /// <summary>The encoder's projector g (z = g(f(x))), found by its registered name.</summary>
    public static nn.Module<Tensor, Tensor> Projector(Encoder encoder) =>
        encoder.named_children().FirstOrDefault(c => c.name == "projector").module as nn.Module<Tensor, Tensor>
        ?? throw new InvalidOperationException("the encoder has no 'projector' submodule");

    private void Open()
    {
        if (test is not null) return;
        var options = config.ToDataOptions();
        if (DatasetCatalog.HasLabels(config.Dataset))
        {
            var fullTrain = DatasetCatalog.Open(config.Dataset, config.DataDir, DatasetCatalog.TrainSplit(config.Dataset), options);
            train = Limit(fullTrain, config.EvalImages, config.Seed);
            test = DatasetCatalog.Open(config.Dataset, config.DataDir, DatasetCatalog.TestSplit(config.Dataset), options);
            yTrain = torch.tensor(train.Labels.Select(l => (long)l).ToArray());
            yTest = torch.tensor(test.Labels.Select(l => (long)l).ToArray());
        }
        else
        {
            // unlabeled source: no probe; the spectra come from a seeded sample of the pretraining split
            var all = DatasetCatalog.Open(config.Dataset, config.DataDir, DatasetCatalog.PretrainSplit(config.Dataset, options), options);
            test = Limit(all, spectrumImages, config.Seed);
        }
    }

    /// <summary>
    /// The run's evaluation sample of at most <paramref name="count"/> images (0 = all), by
    /// <see cref="SeededSample.ForEvaluation"/>; disposes the source when it copies.
    /// </summary>
    public static ImageDataset Limit(ImageDataset data, int count, int runSeed)
    {
        if (count <= 0 || count >= data.Count) return data;
        var subset = data.Subset(SeededSample.ForEvaluation(data.Count, count, runSeed));
        data.Dispose();
        return subset;
    }

    public void Dispose()
    {
        train?.Dispose(); test?.Dispose(); yTrain?.Dispose(); yTest?.Dispose();
    }
}
