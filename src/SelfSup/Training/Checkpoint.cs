using System.Security.Cryptography;
using System.Text.Json;
using SelfSup.IO;
using SelfSup.Models;

namespace SelfSup.Training;

/// <summary>
/// One checkpoint: <c>checkpoints/epoch-NNNN/</c> at the end of an epoch, <c>checkpoints/step-NNNNNNNNN/</c> inside
/// one, each with <c>model.bin</c> (TorchSharp state dict), <c>optimizer.bin</c> and <c>state.json</c>
/// (<see cref="TrainingState"/>, including each file's size and SHA-256).
/// <para>
/// Writing is crash-safe: the files go to <c>NAME.tmp/</c>, each is flushed to the disk, then <c>state.json</c>
/// (written last, so its presence means the others are complete), then the folder is flushed, renamed to
/// <c>NAME</c>, and the parent folder is flushed. A crash at any point leaves either no checkpoint of that name
/// or a complete one. Loading checks sizes and hashes; a checkpoint that fails (truncated, zeroed, a file
/// missing) is skipped with a warning naming it and the previous one is used.
/// </para>
/// </summary>
public static class Checkpoint
{
    private static readonly string[] DataFiles = ["model.bin", "optimizer.bin"];

    /// <summary>Folder name of the checkpoint for <paramref name="state"/>.</summary>
    public static string NameFor(TrainingState state) =>
        state.BatchInEpoch == 0 ? $"epoch-{state.Epoch:D4}" : $"step-{state.Step:D9}";

    /// <summary>Writes the checkpoint of <paramref name="state"/> and returns its folder.</summary>
    public static string Save(RunDirectory run, Encoder encoder, ITrainingOptimizer optimizer, TrainingState state)
    {
        Directory.CreateDirectory(run.CheckpointsPath);
        string final = Path.Combine(run.CheckpointsPath, NameFor(state));
        string tmp = final + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        encoder.save(Path.Combine(tmp, "model.bin"));
        optimizer.Save(Path.Combine(tmp, "optimizer.bin"));
        var files = new Dictionary<string, CheckpointFile>();
        foreach (var name in DataFiles)
        {
            string path = Path.Combine(tmp, name);
            DurableFile.FlushFile(path);
            files[name] = Describe(path);
        }
        string statePath = Path.Combine(tmp, "state.json");
        File.WriteAllText(statePath, JsonSerializer.Serialize(state with { Files = files }, TrainConfig.Json));
        DurableFile.FlushFile(statePath);
        DurableFile.FlushDirectory(tmp);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(tmp, final);
        DurableFile.FlushDirectory(run.CheckpointsPath);
        return final;
    }

    /// <summary>Why <paramref name="dir"/> is not a usable checkpoint, or null when every file matches its record.</summary>
    public static string? Problem(string dir)
    {
        string statePath = Path.Combine(dir, "state.json");
        if (!File.Exists(statePath)) return "state.json is missing (the checkpoint was not finished)";
        TrainingState state;
        try { state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath), TrainConfig.Json) ?? throw new JsonException("empty"); }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException) { return $"state.json is not valid ({e.Message.Split('\n')[0]})"; }
        foreach (var name in DataFiles)
        {
            string path = Path.Combine(dir, name);
            if (!File.Exists(path)) return $"{name} is missing";
            if (state.Files is null || !state.Files.TryGetValue(name, out var expected)) continue; // written before hashes were recorded
            long size = new FileInfo(path).Length;
            if (size != expected.Size) return $"{name} has {size} bytes, {expected.Size} were written (truncated or damaged)";
            if (Describe(path).Sha256 != expected.Sha256) return $"{name} does not match its SHA-256 (damaged)";
        }
        return null;
    }

    /// <summary>
    /// The newest usable checkpoint of a run (by step), or null when there is none; damaged ones newer than it are
    /// skipped with a warning naming them.
    /// </summary>
    /// <exception cref="SelfSupError">Checkpoints exist but none is usable.</exception>
    public static string? Latest(RunDirectory run, Action<string>? warn = null)
    {
        warn ??= message => Console.Error.WriteLine($"warning: {message}");
        var candidates = Candidates(run);
        foreach (var (dir, _) in candidates)
        {
            if (Problem(dir) is not { } problem) return dir;
            warn($"checkpoint '{dir}' is unusable: {problem}; falling back to the previous one");
        }
        if (candidates.Count > 0)
            throw new SelfSupError($"no usable checkpoint in '{run.CheckpointsPath}': all {candidates.Count} are damaged (see the warnings above); start the run again without --resume, or restore a checkpoint folder from a backup");
        return null;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints, and leftover <c>.tmp</c> folders.</summary>
    public static void Prune(RunDirectory run, int keep)
    {
        if (!Directory.Exists(run.CheckpointsPath)) return;
        foreach (var tmp in Directory.GetDirectories(run.CheckpointsPath, "*.tmp")) TryDelete(tmp);
        foreach (var (dir, _) in Candidates(run).Skip(Math.Max(1, keep))) TryDelete(dir);
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

    /// <summary>Checkpoint folders, newest first: ordered by the step in their name's state, epoch ends after mid-epoch ones of the same step.</summary>
    private static List<(string Dir, long Step)> Candidates(RunDirectory run)
    {
        if (!Directory.Exists(run.CheckpointsPath)) return [];
        return Directory.GetDirectories(run.CheckpointsPath)
            .Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(d => (Dir: d, Step: StepOf(d)))
            .Where(c => c.Step >= 0)
            .OrderByDescending(c => c.Step)
            .ThenByDescending(c => Path.GetFileName(c.Dir).StartsWith("epoch-", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The step a checkpoint folder holds: from its state.json when readable, else from a step-N name; −1 when it is not a checkpoint folder.</summary>
    private static long StepOf(string dir)
    {
        string name = Path.GetFileName(dir);
        if (!name.StartsWith("epoch-", StringComparison.Ordinal) && !name.StartsWith("step-", StringComparison.Ordinal)) return -1;
        try { return ReadState(dir).Step; }
        catch (Exception e) when (e is SelfSupError or IOException or UnauthorizedAccessException)
        {
            return name.StartsWith("step-", StringComparison.Ordinal) && long.TryParse(name[5..], out var s) ? s : 0;
        }
    }

    private static CheckpointFile Describe(string path)
    {
        using var stream = File.OpenRead(path);
        return new CheckpointFile(stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
