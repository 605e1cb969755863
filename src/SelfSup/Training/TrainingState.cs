namespace SelfSup.Training;

/// <summary>Where training stood when a checkpoint was written (its <c>state.json</c>).</summary>
public sealed record TrainingState
{
    /// <summary>Number of completed epochs.</summary>
    public int Epoch { get; init; }
    /// <summary>Batches of epoch <see cref="Epoch"/> (0-based: the epoch in progress) already trained; 0 at an epoch boundary.</summary>
    public int BatchInEpoch { get; init; }
    /// <summary>Number of optimiser steps taken.</summary>
    public long Step { get; init; }
    public long ImagesSeen { get; init; }
    /// <summary>Wall-clock seconds of pretraining steps (evaluation and checkpoint writing excluded).</summary>
    public double PretrainSeconds { get; init; }
    /// <summary>Process CPU seconds over the same periods as <see cref="PretrainSeconds"/> (all threads, including the view prefetcher).</summary>
    public double CpuSeconds { get; init; }
    /// <summary>
    /// The run seed. Every epoch's data order and every view's augmentation are pure functions of
    /// (seed, epoch, image, view) (<see cref="Views.EpochBatches"/>), so the seed, <see cref="Epoch"/> and
    /// <see cref="BatchInEpoch"/> restore them exactly: there is no generator position to save.
    /// </summary>
    public int RngSeed { get; init; }
    /// <summary>True when training ended (all epochs, the <see cref="TrainConfig.Steps"/> cap or the <see cref="TrainConfig.TimeBudgetMinutes"/>).</summary>
    public bool Finished { get; init; }
    public TrainConfig? Config { get; init; }
    /// <summary>Peak resident memory of each finished epoch, MiB.</summary>
    public double[]? PeakRssMbPerEpoch { get; init; }
    /// <summary>"time-budget", "steps", "SIGINT" or "SIGTERM" when training ended before its last epoch; null otherwise.</summary>
    public string? StoppedBy { get; init; }
    /// <summary>Number of data-parallel ranks that trained this run (1 = one process); a resume needs the same number.</summary>
    public int WorldSize { get; init; } = 1;
    /// <summary>Size and SHA-256 of each file of the checkpoint (model.bin, optimizer.bin), checked on load.</summary>
    public Dictionary<string, CheckpointFile>? Files { get; init; }
    /// <summary>
    /// SHA-256 (lower-case hex) of this <c>state.json</c> itself, computed over its bytes with these 64 digits
    /// written as zeros; checked on load, so a damaged counter is caught like a damaged model.bin. Null in
    /// checkpoints written before it was recorded.
    /// </summary>
    public string? StateSha256 { get; init; }
}
