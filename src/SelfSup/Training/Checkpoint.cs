using System.Text.Json;
using SelfSup.Models;

namespace SelfSup.Training;

/// <summary>Where training stood when a checkpoint was written.</summary>
public sealed record TrainingState
{
    /// <summary>Number of completed epochs.</summary>
    public int Epoch { get; init; }
    /// <summary>Number of optimiser steps taken.</summary>
    public long Step { get; init; }
    public long ImagesSeen { get; init; }
    public double PretrainSeconds { get; init; }
    /// <summary>
    /// RNG state: every epoch's data order and augmentation draws come from generators seeded with
    /// (seed, epoch) (see <see cref="EpochSeeds"/>), so the seed and the next epoch restore them exactly.
    /// </summary>
    public int RngSeed { get; init; }
    public int RngNextEpoch { get; init; }
    /// <summary>True when training ended (all epochs, or the --steps cap).</summary>
    public bool Finished { get; init; }
    public TrainConfig? Config { get; init; }
    /// <summary>Peak resident memory of each finished epoch, MiB.</summary>
    public double[]? PeakRssMbPerEpoch { get; init; }
    /// <summary>"time-budget" or "steps" when training ended before its last epoch; null otherwise.</summary>
    public string? StoppedBy { get; init; }
}

/// <summary>
/// One checkpoint: <c>checkpoints/epoch-NNNN/</c> with <c>model.bin</c> (TorchSharp state dict),
/// <c>optimizer.bin</c> and <c>state.json</c>. The folder is written under a temporary name and renamed
/// when complete, so a crash mid-write never replaces or damages a finished checkpoint.
/// </summary>
public static class Checkpoint
{
    public static string Save(RunDirectory run, int epoch, Encoder encoder, ITrainingOptimizer optimizer, TrainingState state)
    {
        string final = Path.Combine(run.CheckpointsPath, $"epoch-{epoch:D4}");
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        encoder.save(Path.Combine(tmp, "model.bin"));
        optimizer.Save(Path.Combine(tmp, "optimizer.bin"));
        File.WriteAllText(Path.Combine(tmp, "state.json"), JsonSerializer.Serialize(state, TrainConfig.Json));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(tmp, final);
        return final;
    }

    /// <summary>The newest complete checkpoint folder of a run, or null.</summary>
    public static string? Latest(RunDirectory run)
    {
        if (!Directory.Exists(run.CheckpointsPath)) return null;
        return Directory.GetDirectories(run.CheckpointsPath, "epoch-*")
            .Where(d => !d.EndsWith(".tmp") && File.Exists(Path.Combine(d, "state.json")) && File.Exists(Path.Combine(d, "model.bin")))
            .OrderBy(d => d, StringComparer.Ordinal)
            .LastOrDefault();
    }

    public static TrainingState ReadState(string checkpointDir)
    {
        var path = Path.Combine(checkpointDir, "state.json");
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(path), TrainConfig.Json)
                ?? throw new SelfSupError($"'{path}' is empty; delete the folder '{checkpointDir}' to fall back to the previous checkpoint");
        }
        catch (JsonException e)
        {
            throw new SelfSupError($"'{path}' is not valid JSON ({e.Message}); delete the folder '{checkpointDir}' to fall back to the previous checkpoint");
        }
    }

    public static void LoadModel(string checkpointDir, Encoder encoder)
    {
        var path = Path.Combine(checkpointDir, "model.bin");
        try { encoder.load(path); }
        catch (Exception e) when (e is not SelfSupError)
        {
            throw new SelfSupError($"cannot load '{path}' ({e.Message}); it is damaged or from a different model/--width/--proj-dim");
        }
    }
}

/// <summary>
/// Seeds derived from the run seed and the epoch (SplitMix64 mixing; stable across processes, unlike
/// <see cref="HashCode"/>), so any epoch can be replayed or resumed exactly.
/// </summary>
public static class EpochSeeds
{
    public static int DataOrder(int seed, int epoch) => (int)(Mix((ulong)(uint)seed << 32 | (uint)epoch, 1) & 0x7FFFFFFF);
    public static long Augmentation(int seed, int epoch) => (long)(Mix((ulong)(uint)seed << 32 | (uint)epoch, 2) & 0x7FFFFFFFFFFFFFFF);

    private static ulong Mix(ulong x, ulong stream)
    {
        ulong z = x + stream * 0x9E3779B97F4A7C15UL + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
