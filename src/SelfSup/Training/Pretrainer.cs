using SelfSup.Data;
using SelfSup.Distributed;
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
/// all in <see cref="Run"/>.
/// <para>
/// Checkpoints: after every epoch, and inside an epoch every <c>--checkpoint-every</c> steps (or every
/// <c>--checkpoint-minutes</c> of training); on a stop request (Ctrl-C, SIGTERM) after the step in progress;
/// when the time budget runs out. What a step trains on is a pure function of (seed, epoch, batch index)
/// (<see cref="EpochBatches"/>), and the model, optimiser and counters are saved, so <c>resume</c> from any
/// checkpoint continues exactly as the uninterrupted run would have.
/// </para>
/// </summary>
public sealed class Pretrainer(TrainConfig config, RunDirectory run, Action<StepReport>? onStep = null)
{
    /// <summary>
    /// Called after each epoch's checkpoint with the encoder and the training state (epoch, step,
    /// pretraining seconds so far, images seen); used for periodic evaluation. Its time is not counted in
    /// the pretraining clock. The encoder is in train mode again after the call.
    /// </summary>
    public Action<Encoder, TrainingState>? OnEpochEnd { get; init; }

    /// <summary>Set from a signal handler to end training after the current step with a checkpoint.</summary>
    public StopRequest? Stop { get; init; }

    /// <summary>
    /// The ranks training this model together (<c>mpirun -np R</c>): each takes its slice of every global batch, the loss
    /// sees the whole batch (<see cref="GlobalBatch"/>), gradients are averaged (<see cref="GradientAverager"/>), and only
    /// rank 0 writes the run directory. <see cref="ProcessGroup.Single"/> by default.
    /// </summary>
    public ProcessGroup Group { get; init; } = ProcessGroup.Single;

    /// <summary>
    /// Called after every backward pass (with the encoder, its gradients averaged, and the 0-based step), before the
    /// gradients are checked: a diagnostics and fault-injection hook (the tests poison a gradient to exercise the recompute).
    /// </summary>
    public Action<Encoder, long>? AfterBackward { get; init; }

    /// <summary>Where warnings go (a damaged checkpoint skipped, a resume with nothing to resume from).</summary>
    public Action<string> Warn { get; init; } = message => Console.Error.WriteLine($"warning: {message}");

    public PretrainResult Run(bool resume)
    {
        config = config.WithAbsolutePaths();
        config.Validate();
        NativeHeap.KeepFreedMemory();
        using var gate = NativeCallGate.Open();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var device = DeviceFor(config.Device);
        bool onCpu = device.type == DeviceType.CPU;
        DeviceSettings.ForTraining(device);

        var dataOptions = config.ToDataOptions();
        string split = DatasetCatalog.PretrainSplit(config.Dataset, dataOptions);
        using var train = DatasetCatalog.Open(config.Dataset, config.DataDir, split, dataOptions);
        int[] subset = FractionSubset.Choose(train.Labels, config.Fraction, config.Seed, config.Stratified);
        var sampler = new ViewSampler(config.ResolveAugmentation(), config.Views, config.ResolveSmallCrops());

        torch.manual_seed(config.Seed);
        var encoder = BuildEncoder(config, train.Channels);
        encoder.to(device);
        bool channelsLast = MemoryLayout.UseChannelsLast(encoder, config.ChannelsLast);
        encoder.Precision = config.ResolvePrecision();  // the forward in bf16 or fp32; z, the loss and the weights stay fp32 …
        if (encoder.Precision == Precision.Fp64) encoder.to(ScalarType.Float64);  // … except in fp64, the exactness-check mode
        var loss = config.CreateLoss();
        var group = Group;
        bool writes = group.IsRoot;   // one writer: logs, checkpoints, summaries
        var (sliceOffset, sliceCount) = GlobalBatch.Slice(config.BatchSize, group.Rank, group.Size);

        int stepsPerEpoch = subset.Length / config.BatchSize;
        if (stepsPerEpoch == 0)
            throw new SelfSupError($"--batch-size {config.BatchSize} is larger than the {subset.Length} training images (after --fraction {config.Fraction}); lower it");
        long totalSteps = (long)stepsPerEpoch * config.Epochs;
        if (config.Steps > 0) totalSteps = Math.Min(totalSteps, config.Steps);
        var schedule = LearningRateSchedule.Create(config.Schedule, config.Lr, totalSteps, (long)(config.WarmupEpochs * stepsPerEpoch));
        using var optimizer = OptimizerFactory.Create(config.Optimizer, encoder.parameters().ToList(), config.Lr, config.WeightDecay);
        using var trainingStep = new TrainingStep(encoder, loss, optimizer, config.CollapseThreshold, config.CollapseSteps)
        {
            Group = Group, SyncBn = config.SyncBn, ChannelsLast = channelsLast, AfterBackward = AfterBackward, Warn = Warn,
        };

        var state = new TrainingState { RngSeed = config.Seed, Config = config };
        string? lastCheckpoint = resume ? Checkpoint.Latest(run, Warn) : null;
        if (lastCheckpoint is not null)
        {
            state = Checkpoint.ReadState(lastCheckpoint);
            if (state.WorldSize != group.Size && !config.SyncBn)
                throw new SelfSupError($"'{run.Path}' was trained by {state.WorldSize} rank(s) without --sync-bn, so its BatchNorm saw {config.BatchSize / state.WorldSize} images per rank; " +
                    $"resume it with {state.WorldSize} rank(s) (mpirun -np {state.WorldSize}), not {group.Size}");
            Checkpoint.LoadModel(lastCheckpoint, encoder);
            Checkpoint.LoadOptimizer(lastCheckpoint, optimizer, config.Optimizer, optimizer.Flat.Parameters);
            if (writes)
            {
                run.RewindLogs(state.Step, state.Epoch);
                RunDirectory.WriteAtomic(run.ConfigPath, config.ToJson());
            }
            if (state.Step >= totalSteps) return new PretrainResult(encoder, state, lastCheckpoint);
            state = state with { Finished = false, StoppedBy = null, Config = config };
        }
        else
        {
            if (resume) Warn($"'{run.Path}' has no checkpoint yet; starting its training from the beginning");
            if (config.Init is not null) Interop.WeightImport.InitFrom(encoder, config.Init);
            if (writes)
            {
                run.Create(config);
                run.RewindLogs(0, 0);
                RunDirectory.WriteAtomic(Path.Combine(run.Path, "subset.json"), System.Text.Json.JsonSerializer.Serialize(new
                {
                    dataset = config.Dataset, split, total = train.Count, fraction = config.Fraction, stratified = config.Stratified,
                    seed = config.Seed, count = subset.Length, indices = subset,
                }));
            }
        }
        group.BroadcastState(encoder);   // identical weights on every rank (the same seed gives them already; this makes sure)
        state = state with { WorldSize = group.Size };

        var tensorBoard = writes ? TensorBoardLog.ForTraining(run) : null;  // a new event file in RUN/tb/ per start or resume
        var clock = new TrainingClock(state.PretrainSeconds, state.CpuSeconds);
        var checkpoints = new CheckpointPolicy(config.CheckpointEvery, config.CheckpointMinutes);
        long step = state.Step, imagesSeen = state.ImagesSeen;
        int n = config.BatchSize, m = config.Views;
        var window = System.Diagnostics.Stopwatch.StartNew();
        long windowImages = 0;
        var peakRssPerEpoch = new List<double>(state.PeakRssMbPerEpoch ?? []);
        double budgetSeconds = config.TimeBudgetMinutes * 60;

        // Saves a checkpoint off the pretraining clock, then keeps only the newest --keep-checkpoints.
        string? Save(TrainingState s)
        {
            state = s with { PretrainSeconds = clock.WallSeconds, CpuSeconds = clock.CpuSeconds };
            if (!writes) return null;
            string dir = clock.Paused(() => Checkpoint.Save(run, encoder, optimizer, state));
            Checkpoint.Prune(run, config.KeepCheckpoints);
            checkpoints.Written();
            return lastCheckpoint = dir;
        }
        // every rank must take the same decision: the most urgent reason any rank has (a signal reaches ranks at different steps)
        string? StopReason() => StopRequest.Agree(Stop?.Reason ?? (budgetSeconds > 0 && clock.WallSeconds >= budgetSeconds ? "time-budget" : null), group);

        // a run killed between an epoch's checkpoint and its evaluation evaluates that epoch now
        if (writes && lastCheckpoint is not null && state.BatchInEpoch == 0 && state.Epoch > 0 && OnEpochEnd is not null && !HasEval(state.Epoch))
            EpochEnd(state);

        // views on a background thread only when a core is left for it (ViewBatchPrefetcher.PaysOff); else on this thread
        int prefetchDepth = ViewBatchPrefetcher.PaysOff(device.type, torch.get_num_threads(), ProcessGroup.RanksOnThisMachine(), Environment.ProcessorCount) ? 2 : 0;
        encoder.train();
        string? stoppedBy = null;
        for (int epoch = state.Epoch; epoch < config.Epochs && step < totalSteps && stoppedBy is null; epoch++)
        {
            var batches = new EpochBatches(train, sampler, config.Seed, epoch, EpochBatches.Order(subset, config.Seed, epoch), n, device);
            int first = epoch == state.Epoch ? state.BatchInEpoch : 0;
            int end = (int)Math.Min(stepsPerEpoch, first + (totalSteps - step));
            if (onCpu) NativeHeap.Release();       // each epoch starts from the heap's in-use pages only (see NativeHeap.Release)
            if (first == 0) MemoryUsage.ResetPeak();
            using var pipeline = new ViewBatchPrefetcher(b => batches.Views(b, sliceOffset, sliceCount), first, end, prefetchDepth);
            for (int b = first; b < end; b++)
            {
                double lr = schedule.At(step);
                NativeCallGate.SafePoint();  // the only place the GC may run while the prefetcher works (see NativeCallGate)
                if (onCpu && step % NativeHeap.ReleaseEvery == 0) NativeHeap.Release();  // bounds fragmentation's growth of the resident set
                StepOutcome outcome;
                using (NativeCallGate.Work())
                using (var views = pipeline.Next())   // N images × M views (keyed on seed, epoch, image, view), drawn on the device
                {
                    try { outcome = trainingStep.Run(views, lr, step, epoch); }
                    catch (TrainingStopped stopped)
                    {
                        throw new SelfSupError($"{stopped.Problem}; training stopped. The last good checkpoint is kept{(lastCheckpoint is null ? " (none yet)" : $" at '{lastCheckpoint}'")}. {stopped.Remedy}");
                    }
                }
                double value = outcome.Loss, spread = outcome.Spread;
                step++; imagesSeen += n; windowImages += n;

                double rate = windowImages / Math.Max(1e-9, window.Elapsed.TotalSeconds);
                if (step % config.LogEvery == 0 || step == totalSteps)
                {
                    var memory = MemoryUsage.Breakdown();
                    if (writes) run.AppendMetrics(new { step, epoch = epoch + 1, loss = value, lr, images_per_s = rate, views_per_s = rate * m, embedding_spread = spread, elapsed_s = clock.WallSeconds, cpu_s = clock.CpuSeconds, images_seen = imagesSeen,
                        rss_mb = memory.Rss, native_in_use_mb = memory.NativeInUse, native_held_mb = memory.NativeHeld, managed_mb = memory.Managed });
                    tensorBoard?.Step(step, value, lr, rate);
                    window.Restart(); windowImages = 0;
                }
                onStep?.Invoke(new StepReport(epoch + 1, config.Epochs, step, totalSteps, value, rate, clock.WallSeconds));

                // 5. inside the epoch: a checkpoint when one is due, or when training must stop here
                bool lastOfEpoch = b + 1 == stepsPerEpoch;
                stoppedBy = StopReason();
                bool ended = step >= totalSteps;
                if (!lastOfEpoch && (stoppedBy is not null || ended || checkpoints.Due(step)))
                    Save(StateAt(epoch, b + 1, finished: ended || stoppedBy == "time-budget", stoppedBy ?? (ended ? "steps" : null)));
                if (stoppedBy is not null && !lastOfEpoch)
                {
                    if (writes && stoppedBy == "time-budget" && OnEpochEnd is not null) EpochEnd(state);
                    return new PretrainResult(encoder, state, lastCheckpoint);
                }
            }
            if (end < stepsPerEpoch) break; // the --steps cap ended training inside this epoch (checkpointed above)

            // 6. end of epoch: memory high-water mark, checkpoint (model, optimiser, counters, config), evaluation
            peakRssPerEpoch.Add(Math.Round(MemoryUsage.PeakRssMb(), 1));
            if (writes) run.AppendEpoch(new { epoch = epoch + 1, step, peak_rss_mb = peakRssPerEpoch[^1], elapsed_s = clock.WallSeconds, cpu_s = clock.CpuSeconds });
            bool finished = epoch + 1 >= config.Epochs || step >= totalSteps || stoppedBy == "time-budget";
            Save(StateAt(epoch + 1, 0, finished, stoppedBy ?? (step >= totalSteps && config.Steps > 0 && step < (long)stepsPerEpoch * config.Epochs ? "steps" : null)));
            if (writes && OnEpochEnd is not null && stoppedBy is not ("SIGINT" or "SIGTERM")) EpochEnd(state);
        }
        return new PretrainResult(encoder, state, lastCheckpoint);

        // the training state at this point: the one place the counters go into a TrainingState
        TrainingState StateAt(int epoch, int batchInEpoch, bool finished, string? stoppedBy) => state with
        {
            Epoch = epoch, BatchInEpoch = batchInEpoch, Step = step, ImagesSeen = imagesSeen, Config = config,
            PeakRssMbPerEpoch = [.. peakRssPerEpoch], Finished = finished, StoppedBy = stoppedBy,
        };

        void EpochEnd(TrainingState s)
        {
            clock.Paused(() => { OnEpochEnd!(encoder, s); return 0; });
            encoder.train();
        }
    }

    /// <summary>Whether evals.jsonl already has a record of <paramref name="epoch"/>.</summary>
    private bool HasEval(int epoch) =>
        Evaluation.EvalRecord.ReadAll(run.Path).Any(r => r.Epoch == epoch);

    /// <summary>Builds the encoder a config describes (used by the trainer and the probe).</summary>
    public static Encoder BuildEncoder(TrainConfig config, int inChannels) =>
        new(new EncoderConfig(config.Model, inChannels, config.Width, config.ImagenetStem, config.ProjDim, config.ProjLayers, config.ProjHidden));

    public static Device DeviceFor(string name)
    {
        if (name.StartsWith("cuda") && !torch.cuda.is_available())
            throw new SelfSupError($"--device {name} requested but CUDA is not available (this build uses TorchSharp-cpu); use --device cpu or install TorchSharp-cuda-linux");
        return torch.device(name);
    }
}
