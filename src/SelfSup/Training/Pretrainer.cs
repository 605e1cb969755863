using System.Diagnostics;
using SelfSup.Data;
using SelfSup.Losses;
using SelfSup.Models;
using SelfSup.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>What the trainer reports after every optimiser step (for progress bars).</summary>
public sealed record StepReport(int Epoch, int Epochs, long Step, long TotalSteps, double Loss, double ImagesPerSecond, double ElapsedSeconds);

/// <summary>The outcome of <see cref="Pretrainer.Run"/>.</summary>
public sealed record PretrainResult(Encoder Encoder, TrainingState State, string? CheckpointDir);

/// <summary>
/// Self-supervised pretraining: N images → M augmented views each → one forward pass over the N·M
/// stacked views → z (N×M×d) → multi-view loss → optimiser step. The order of events in an epoch is
/// all in <see cref="Run"/>. A checkpoint is written after every epoch; <c>resume</c> continues from
/// the newest one with the same data order and augmentation draws as an uninterrupted run.
/// </summary>
public sealed class Pretrainer(TrainConfig config, RunDirectory run, Action<StepReport>? onStep = null)
{
    /// <summary>
    /// Called after each epoch's checkpoint with the encoder and the training state (epoch, step,
    /// pretraining seconds so far, images seen); used for periodic evaluation. Its time is not counted in
    /// the pretraining clock. The encoder is in train mode again after the call.
    /// </summary>
    public Action<Encoder, TrainingState>? OnEpochEnd { get; init; }

    public PretrainResult Run(bool resume)
    {
        config.Validate();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var device = DeviceFor(config.Device);

        var dataOptions = config.ToDataOptions();
        string split = DatasetCatalog.PretrainSplit(config.Dataset, dataOptions);
        using var train = DatasetCatalog.Open(config.Dataset, config.DataDir, split, dataOptions);
        int[] subset = FractionSubset.Choose(train.Labels, config.Fraction, config.Seed, config.Stratified);
        var preset = config.ResolveAugmentation();
        var sampler = new ViewSampler(preset, config.Views);

        torch.manual_seed(config.Seed);
        var encoder = BuildEncoder(config, train.Channels);
        encoder.to(device);
        bool channelsLast = MemoryLayout.UseChannelsLast(encoder, config.ChannelsLast);
        double lambda = BetaSetting.Parse(config.Beta, config.BetaC).Resolve(config.ProjDim);
        var loss = LossFactory.Create(config.Method, config.Method.StartsWith("vicreg") ? config.VicregLambda : lambda, config.VicregMu, !config.NoNormalize);

        int stepsPerEpoch = subset.Length / config.BatchSize;
        if (stepsPerEpoch == 0)
            throw new SelfSupError($"--batch-size {config.BatchSize} is larger than the {subset.Length} training images (after --fraction {config.Fraction}); lower it");
        long totalSteps = (long)stepsPerEpoch * config.Epochs;
        if (config.Steps > 0) totalSteps = Math.Min(totalSteps, config.Steps);
        var schedule = LearningRateSchedule.Create(config.Schedule, config.Lr, totalSteps, (long)(config.WarmupEpochs * stepsPerEpoch));
        using var optimizer = OptimizerFactory.Create(config.Optimizer, encoder.parameters().ToList(), config.Lr, config.WeightDecay);

        var state = new TrainingState { RngSeed = config.Seed, Config = config };
        string? lastCheckpoint = null;
        if (resume && Checkpoint.Latest(run) is { } latest)
        {
            state = Checkpoint.ReadState(latest);
            Checkpoint.LoadModel(latest, encoder);
            try { optimizer.Load(Path.Combine(latest, "optimizer.bin")); }
            catch (Exception e) when (e is not SelfSupError)
            {
                throw new SelfSupError($"cannot restore the optimizer state in '{latest}' ({e.Message.TrimEnd('.')}); resume with the run's own --optimizer ({state.Config?.Optimizer ?? "see config.json"})");
            }
            lastCheckpoint = latest;
            if (state.Epoch >= config.Epochs || (config.Steps > 0 && state.Step >= config.Steps))
                return new PretrainResult(encoder, state, latest);
            RunDirectory.WriteAtomic(run.ConfigPath, config.ToJson());
        }
        else
        {
            run.Create(config);
            File.WriteAllText(Path.Combine(run.Path, "subset.json"), System.Text.Json.JsonSerializer.Serialize(new
            {
                dataset = config.Dataset, split, total = train.Count, fraction = config.Fraction, stratified = config.Stratified,
                seed = config.Seed, count = subset.Length, indices = subset,
            }));
        }

        var clock = Stopwatch.StartNew();
        double secondsBefore = state.PretrainSeconds;
        long step = state.Step, imagesSeen = state.ImagesSeen;
        int n = config.BatchSize, m = config.Views;
        var window = Stopwatch.StartNew();
        long windowImages = 0;
        encoder.train();

        var peakRssPerEpoch = new List<double>(state.PeakRssMbPerEpoch ?? []);
        double budgetSeconds = config.TimeBudgetMinutes * 60;
        bool OutOfTime() => budgetSeconds > 0 && secondsBefore + clock.Elapsed.TotalSeconds >= budgetSeconds;
        bool outOfTime = false;
        for (int epoch = state.Epoch; epoch < config.Epochs && step < totalSteps && !outOfTime; epoch++)
        {
            MemoryUsage.ResetPeak();
            int[] order = Shuffle(subset, EpochSeeds.DataOrder(config.Seed, epoch));
            using var generator = new torch.Generator((ulong)EpochSeeds.Augmentation(config.Seed, epoch));
            int batchesThisEpoch = (int)Math.Min(stepsPerEpoch, totalSteps - step);
            using var pipeline = new ViewBatchPrefetcher(train, order, n, batchesThisEpoch, sampler, generator);
            for (int b = 0; b < batchesThisEpoch && !(outOfTime = OutOfTime()); b++)
            {
                using var scope = torch.NewDisposeScope();
                // 1. N images with M views each (per-sample, seeded), drawn ahead by the prefetcher
                using var views = pipeline.Next();                                    // N×M×C×S×S
                var x = views.reshape(n * m, views.shape[2], views.shape[3], views.shape[4]).to(device);
                if (channelsLast) x = MemoryLayout.ChannelsLast(x);
                // 2. one forward pass over all N·M views; 3. multi-view loss on N×M×d
                var z = encoder.forward(x).reshape(n, m, -1);
                var lossValue = loss.Forward(z);
                double value = lossValue.item<float>();
                if (!double.IsFinite(value))
                    throw new SelfSupError($"loss became {value} at step {step + 1} (epoch {epoch + 1}); training stopped. " +
                        $"The last good checkpoint is kept{(lastCheckpoint is null ? " (none yet)" : $" at '{lastCheckpoint}'")}. Lower --lr or raise --beta-c/--beta, then --resume");
                // 4. optimiser step at the scheduled learning rate
                double lr = schedule.At(step);
                optimizer.SetLearningRate(lr);
                optimizer.ZeroGrad();
                lossValue.backward();
                optimizer.Step();
                step++; imagesSeen += n; windowImages += n;

                double rate = windowImages / Math.Max(1e-9, window.Elapsed.TotalSeconds);
                double elapsed = secondsBefore + clock.Elapsed.TotalSeconds;
                if (step % config.LogEvery == 0 || step == totalSteps)
                {
                    run.AppendMetrics(new { step, epoch = epoch + 1, loss = value, lr, images_per_s = rate, views_per_s = rate * m, elapsed_s = elapsed, images_seen = imagesSeen });
                    window.Restart(); windowImages = 0;
                }
                onStep?.Invoke(new StepReport(epoch + 1, config.Epochs, step, totalSteps, value, rate, elapsed));
            }
            // 5. end of epoch: memory high-water mark, checkpoint (model, optimiser, counters, RNG position, config)
            peakRssPerEpoch.Add(Math.Round(MemoryUsage.PeakRssMb(), 1));
            run.AppendEpoch(new { epoch = epoch + 1, step, peak_rss_mb = peakRssPerEpoch[^1], elapsed_s = secondsBefore + clock.Elapsed.TotalSeconds });
            // (a --time-budget stop ends the run inside this epoch: the checkpoint is final, and a later
            //  --resume with more time would continue from the next epoch)
            outOfTime = outOfTime || OutOfTime();
            bool finished = epoch + 1 >= config.Epochs || step >= totalSteps || outOfTime;
            state = state with
            {
                Epoch = epoch + 1, Step = step, ImagesSeen = imagesSeen,
                PretrainSeconds = secondsBefore + clock.Elapsed.TotalSeconds,
                RngSeed = config.Seed, RngNextEpoch = epoch + 1, Finished = finished, Config = config,
                PeakRssMbPerEpoch = [.. peakRssPerEpoch],
                StoppedBy = outOfTime ? "time-budget" : step >= totalSteps && config.Steps > 0 && step < (long)stepsPerEpoch * config.Epochs ? "steps" : null,
            };
            lastCheckpoint = Checkpoint.Save(run, epoch + 1, encoder, optimizer, state);
            if (OnEpochEnd is not null)
            {
                clock.Stop();
                OnEpochEnd(encoder, state);
                encoder.train();
                clock.Start();
            }
        }
        return new PretrainResult(encoder, state, lastCheckpoint);
    }

    /// <summary>Builds the encoder a config describes (used by the trainer and the probe).</summary>
    public static Encoder BuildEncoder(TrainConfig config, int inChannels) =>
        new(new EncoderConfig(config.Model, inChannels, config.Width, config.ImagenetStem, config.ProjDim, config.ProjLayers, config.ProjHidden));

    public static Device DeviceFor(string name)
    {
        if (name.StartsWith("cuda") && !torch.cuda.is_available())
            throw new SelfSupError($"--device {name} requested but CUDA is not available (this build uses TorchSharp-cpu); use --device cpu or install TorchSharp-cuda-linux");
        return torch.device(name);
    }

    private static int[] Shuffle(int[] items, int seed)
    {
        var order = (int[])items.Clone();
        new Random(seed).Shuffle(order);
        return order;
    }
}
