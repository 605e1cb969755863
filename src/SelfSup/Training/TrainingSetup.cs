using SelfSup.Data;
using SelfSup.Distributed;
using SelfSup.Models;
using SelfSup.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// What a pretraining run is made of, built from its config: the device, the data and its fraction, the view
/// sampler, the encoder, the loss, the optimiser and its schedule, and the <see cref="TrainingStep"/> that uses them.
/// </summary>
public sealed class TrainingSetup : IDisposable
{
    /// <summary>Builds everything <paramref name="config"/> (validated, absolute paths) describes for this rank of <paramref name="group"/>.</summary>
    /// <exception cref="SelfSupError">The batch is larger than the training images, or the data or device is unusable.</exception>
    public TrainingSetup(TrainConfig config, ProcessGroup group, Action<Encoder, long>? afterBackward, Action<string> warn)
    {
        Config = config;
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        Device = Devices.Resolve(config.Device);
        DeviceSettings.ForTraining(Device);

        var dataOptions = config.ToDataOptions();
        Split = DatasetCatalog.PretrainSplit(config.Dataset, dataOptions);
        Train = DatasetCatalog.Open(config.Dataset, config.DataDir, Split, dataOptions);
        try
        {
            Subset = FractionSubset.Choose(Train.Labels, config.Fraction, config.Seed, config.Stratified);
            Sampler = new ViewSampler(config.ResolveAugmentation(), config.Views, config.ResolveSmallCrops());
            StepsPerEpoch = Subset.Length / config.BatchSize;
            if (StepsPerEpoch == 0)
                throw new SelfSupError($"`batch_size` {config.BatchSize} is larger than the {Subset.Length} training images (after `fraction` {config.Fraction}); lower it");
            TotalSteps = (long)StepsPerEpoch * config.Epochs;
            if (config.Steps > 0) TotalSteps = Math.Min(TotalSteps, config.Steps);
            Schedule = LearningRateSchedule.Create(config.Schedule, config.Lr, TotalSteps, (long)(config.WarmupEpochs * StepsPerEpoch));
            (SliceOffset, SliceCount) = GlobalBatch.Slice(config.BatchSize, group.Rank, group.Size);

            torch.manual_seed(config.Seed);
            Encoder = new Encoder(config.EncoderFor(Train.Channels));
            Encoder.to(Device);
            bool channelsLast = MemoryLayout.UseChannelsLast(Encoder, config.ChannelsLast);
            Encoder.Precision = config.ResolvePrecision();  // the forward in bf16 or fp32; z, the loss and the weights stay fp32 …
            if (Encoder.Precision == Precision.Fp64) Encoder.to(ScalarType.Float64);  // … except in fp64, the exactness-check mode
            Optimizer = OptimizerFactory.Create(config.Optimizer, Encoder.parameters().ToList(), config.Lr, config.WeightDecay);
            Step = new TrainingStep(Encoder, config.CreateLoss(), Optimizer, config.CollapseThreshold, config.CollapseSteps)
            {
                Group = group, SyncBn = config.SyncBn, ChannelsLast = channelsLast, AfterBackward = afterBackward, Warn = warn,
            };
            // views on a background thread only when a core is left for it (ViewBatchPrefetcher.PaysOff); else on this thread
            PrefetchDepth = ViewBatchPrefetcher.PaysOff(Device.type, torch.get_num_threads(), ProcessGroup.RanksOnThisMachine(), Environment.ProcessorCount) ? 2 : 0;
        }
        catch
        {
            // a set-up that fails half-way releases what it made (the data's memory-mapped images among them)
            Step?.Dispose();
            Optimizer?.Dispose();
            Encoder?.Dispose();
            Train.Dispose();
            throw;
        }
    }

    /// <summary>The validated config everything was built from.</summary>
    public TrainConfig Config { get; }

    /// <summary>Where the model trains and the views are drawn.</summary>
    public Device Device { get; }

    /// <summary>Whether training runs on the CPU (where the native heap is trimmed between steps).</summary>
    public bool OnCpu => Device.type == DeviceType.CPU;

    /// <summary>The pretraining split's name and its images.</summary>
    public string Split { get; }

    /// <inheritdoc cref="Split"/>
    public ImageDataset Train { get; }

    /// <summary>Indices of the images trained on (the data fraction).</summary>
    public int[] Subset { get; }

    /// <summary>Turns images into their M views (and small crops).</summary>
    public ViewSampler Sampler { get; }

    /// <summary>The model trained: backbone and projector.</summary>
    public Encoder Encoder { get; }

    /// <summary>The optimiser over the encoder's flat parameters.</summary>
    public ITrainingOptimizer Optimizer { get; }

    /// <summary>The one training step (forward, loss, backward, checks, recompute, optimiser step).</summary>
    public TrainingStep Step { get; }

    /// <summary>The learning rate at every step.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Whole batches per epoch, and steps of the whole run (capped by the config's step limit).</summary>
    public int StepsPerEpoch { get; }

    /// <inheritdoc cref="StepsPerEpoch"/>
    public long TotalSteps { get; }

    /// <summary>This rank's images of every global batch: [offset, offset + count).</summary>
    public int SliceOffset { get; }

    /// <inheritdoc cref="SliceOffset"/>
    public int SliceCount { get; }

    /// <summary>Batches drawn ahead on a background thread (0: on the training thread).</summary>
    public int PrefetchDepth { get; }

    /// <summary>The views of batches [<paramref name="first"/>, <paramref name="end"/>) of an epoch, in order, this rank's slice.</summary>
    public ViewBatchPrefetcher Batches(int epoch, int first, int end)
    {
        var batches = new EpochBatches(Train, Sampler, Config.Seed, epoch, EpochBatches.Order(Subset, Config.Seed, epoch), Config.BatchSize, Device);
        return new ViewBatchPrefetcher(b => batches.Views(b, SliceOffset, SliceCount), first, end, PrefetchDepth);
    }

    /// <summary>Releases the data, the optimiser and the step (the encoder outlives the setup).</summary>
    public void Dispose()
    {
        Step.Dispose();
        Optimizer.Dispose();
        Train.Dispose();
    }
}
