using SelfSup.Native;
using SelfSup.Distributed;
using SelfSup.Models;
using SelfSup.Views;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Self-supervised pretraining: N images → M augmented views each → one forward pass over the N·M
/// stacked views → z (N×M×d) → multi-view loss → optimiser step. The order of events in an epoch is
/// all in <see cref="Run"/>.
/// <para>
/// Checkpoints: after every epoch, and inside an epoch every <see cref="TrainConfig.CheckpointEvery"/> steps (or every
/// <see cref="TrainConfig.CheckpointMinutes"/> of training); on a stop request (Ctrl-C, SIGTERM) after the step in progress;
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
    public Action<string> Warn { get; init; } = SelfSupWarnings.Write;

    public PretrainResult Run(bool resume)
    {
        config = config.WithAbsolutePaths();
        config.Validate();
        NativeHeap.KeepFreedMemory();
        using var gate = NativeCallGate.Open();
        using var setup = new TrainingSetup(config, Group, AfterBackward, Warn);   // device, data, model, optimiser, step
        var encoder = setup.Encoder;
        bool writes = Group.IsRoot;   // one writer: logs, checkpoints, summaries
        var (state, lastCheckpoint) = ResumeOrStart(setup, resume, writes);
        if (state.Step >= setup.TotalSteps) return new PretrainResult(encoder, state, lastCheckpoint);

        var clock = new TrainingClock(state.PretrainSeconds, state.CpuSeconds);
        var checkpoints = new CheckpointPolicy(config.CheckpointEvery, config.CheckpointMinutes);
        var log = new StepLog(writes ? run : null, config.LogEvery, setup.TotalSteps, config.Views);
        long step = state.Step, imagesSeen = state.ImagesSeen;
        var peakRssPerEpoch = new List<double>(state.PeakRssMbPerEpoch ?? []);
        // a run killed between an epoch's checkpoint and its evaluation evaluates that epoch now
        if (writes && lastCheckpoint is not null && state.BatchInEpoch == 0 && state.Epoch > 0 && OnEpochEnd is not null && !HasEval(state.Epoch))
            EpochEnd(state);

        encoder.train();
        string? stoppedBy = null;
        for (int epoch = state.Epoch; epoch < config.Epochs && step < setup.TotalSteps && stoppedBy is null; epoch++)
        {
            int first = epoch == state.Epoch ? state.BatchInEpoch : 0;
            int end = (int)Math.Min(setup.StepsPerEpoch, first + (setup.TotalSteps - step));
            if (setup.OnCpu) NativeHeap.Release();       // each epoch starts from the heap's in-use pages only (see NativeHeap.Release)
            if (first == 0) MemoryUsage.ResetPeak();
            using var batches = setup.Batches(epoch, first, end);
            for (int b = first; b < end; b++)
            {
                double lr = setup.Schedule.At(step);
                var outcome = TrainOn(setup, batches, lr, step, epoch, lastCheckpoint);
                step++; imagesSeen += config.BatchSize;
                double rate = log.Record(step, epoch + 1, outcome, lr, config.BatchSize, clock, imagesSeen);
                onStep?.Invoke(new StepReport(epoch + 1, config.Epochs, step, setup.TotalSteps, outcome.Loss, rate, clock.WallSeconds));

                // inside the epoch: a checkpoint when one is due, or when training must stop here
                if (b + 1 == setup.StepsPerEpoch) continue;
                stoppedBy = StopReason();
                bool ended = step >= setup.TotalSteps;
                if (stoppedBy is not null || ended || checkpoints.Due(step))
                    Save(StateAt(epoch, b + 1, finished: ended || stoppedBy == "time-budget", stoppedBy ?? (ended ? "steps" : null)));
                if (stoppedBy is null) continue;
                if (writes && stoppedBy == "time-budget" && OnEpochEnd is not null) EpochEnd(state);
                return new PretrainResult(encoder, state, lastCheckpoint);
            }
            if (end < setup.StepsPerEpoch) break; // the step cap ended training inside this epoch (checkpointed above)

            // end of epoch: memory high-water mark, checkpoint (model, optimiser, counters, config), evaluation
            stoppedBy = StopReason();
            peakRssPerEpoch.Add(Math.Round(MemoryUsage.PeakRssMb(), 1));
            if (writes) run.AppendEpoch(new { epoch = epoch + 1, step, peak_rss_mb = peakRssPerEpoch[^1], elapsed_s = clock.WallSeconds, cpu_s = clock.CpuSeconds });
            bool capped = step >= setup.TotalSteps && config.Steps > 0 && step < (long)setup.StepsPerEpoch * config.Epochs;
            Save(StateAt(epoch + 1, 0, epoch + 1 >= config.Epochs || step >= setup.TotalSteps || stoppedBy == "time-budget", stoppedBy ?? (capped ? "steps" : null)));
            if (writes && OnEpochEnd is not null && stoppedBy is not ("SIGINT" or "SIGTERM")) EpochEnd(state);
        }
        return new PretrainResult(encoder, state, lastCheckpoint);

        // the training state at this point: the one place the counters go into a TrainingState
        TrainingState StateAt(int epoch, int batchInEpoch, bool finished, string? stoppedBy) => state with
        {
            Epoch = epoch, BatchInEpoch = batchInEpoch, Step = step, ImagesSeen = imagesSeen, Config = config,
            PeakRssMbPerEpoch = [.. peakRssPerEpoch], Finished = finished, StoppedBy = stoppedBy,
            PretrainSeconds = clock.WallSeconds, CpuSeconds = clock.CpuSeconds,
        };

        // saves a checkpoint off the pretraining clock (rank 0), then keeps only the newest few; every rank takes the new state
        void Save(TrainingState next)
        {
            state = next;
            if (!writes) return;
            lastCheckpoint = clock.Paused(() => Checkpoint.Save(run, encoder, setup.Optimizer, state));
            Checkpoint.Prune(run, config.KeepCheckpoints);
            checkpoints.Written();
        }

        // every rank must take the same decision: the most urgent reason any rank has (a signal reaches ranks at different steps)
        string? StopReason() => StopRequest.Agree(Stop?.Reason ?? (config.TimeBudgetMinutes > 0 && clock.WallSeconds >= config.TimeBudgetMinutes * 60 ? "time-budget" : null), Group);

        void EpochEnd(TrainingState s)
        {
            clock.Paused(() => { OnEpochEnd!(encoder, s); return 0; });
            encoder.train();
        }
    }

    /// <summary>One step on the next batch, with the only safe point for the GC while the prefetcher works (see NativeCallGate).</summary>
    private static StepOutcome TrainOn(TrainingSetup setup, ViewBatchPrefetcher batches, double lr, long step, int epoch, string? lastCheckpoint)
    {
        NativeCallGate.SafePoint();
        if (setup.OnCpu && step % NativeHeap.ReleaseEvery == 0) NativeHeap.Release();  // bounds fragmentation's growth of the resident set
        using var work = NativeCallGate.Work();
        using var views = batches.Next();   // N images × M views (keyed on seed, epoch, image, view), drawn on the device
        try { return setup.Step.Run(views, lr, step, epoch); }
        catch (TrainingStopped stopped)
        {
            throw new SelfSupError($"{stopped.Problem}; training stopped. The last good checkpoint is kept{(lastCheckpoint is null ? " (none yet)" : $" at '{lastCheckpoint}'")}. {stopped.Remedy}");
        }
    }

    /// <summary>
    /// The state training continues from: the newest checkpoint's (model and optimiser loaded, logs rewound) when
    /// resuming, else a new run (its directory, config and data subset written, weights imported when asked).
    /// Every rank leaves with the same weights.
    /// </summary>
    private (TrainingState State, string? Checkpoint) ResumeOrStart(TrainingSetup setup, bool resume, bool writes)
    {
        string? checkpoint = resume ? Checkpoint.Latest(run, Warn) : null;
        TrainingState state;
        if (checkpoint is not null)
        {
            state = Checkpoint.ReadState(checkpoint);
            if (state.WorldSize != Group.Size && !config.SyncBn)
                throw new SelfSupError($"'{run.Path}' was trained by {state.WorldSize} rank(s) without `sync_bn`, so its BatchNorm saw {config.BatchSize / state.WorldSize} images per rank; " +
                    $"resume it with {state.WorldSize} rank(s) (mpirun -np {state.WorldSize}), not {Group.Size}");
            Checkpoint.LoadModel(checkpoint, setup.Encoder);
            Checkpoint.LoadOptimizer(checkpoint, setup.Optimizer, config.Optimizer, setup.Optimizer.Flat.Parameters);
            if (writes)
            {
                run.RewindLogs(state.Step, state.Epoch);
                RunDirectory.WriteAtomic(run.ConfigPath, config.ToJson());
            }
            if (state.Step >= setup.TotalSteps) return (state, checkpoint);   // nothing left to train
            state = state with { Finished = false, StoppedBy = null, Config = config };
        }
        else
        {
            if (resume) Warn($"'{run.Path}' has no checkpoint yet; starting its training from the beginning");
            state = new TrainingState { RngSeed = config.Seed, Config = config };
            if (config.Init is not null) Interop.WeightImport.InitFrom(setup.Encoder, config.Init);
            if (writes) run.Start(config, new
            {
                dataset = config.Dataset, split = setup.Split, total = setup.Train.Count, fraction = config.Fraction, stratified = config.Stratified,
                seed = config.Seed, count = setup.Subset.Length, indices = setup.Subset,
            });
        }
        Group.BroadcastState(setup.Encoder);   // identical weights on every rank (the same seed gives them already; this makes sure)
        return (state with { WorldSize = Group.Size }, checkpoint);
    }

    /// <summary>Whether evals.jsonl already has a record of <paramref name="epoch"/>.</summary>
    private bool HasEval(int epoch) =>
        Evaluation.EvalRecord.ReadAll(run.Path).Any(r => r.Epoch == epoch);
}
