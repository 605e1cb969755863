using System.Globalization;
using System.Security.Cryptography;
using Encoding = System.Text.Encoding;
using System.Text.RegularExpressions;
using SelfSup.IO;
using SelfSup.Models;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// One checkpoint: <c>checkpoints/epoch-NNNN/</c> at the end of an epoch, <c>checkpoints/step-NNNNNNNNN/</c> inside
/// one, each with <c>model.bin</c> (TorchSharp state dict), <c>optimizer.bin</c> and <c>state.json</c>
/// (<see cref="TrainingState"/>, including each file's size and SHA-256).
/// <para>
/// Writing is crash-safe: the files go to <c>NAME.tmp/</c>, each is flushed to the disk, then <c>state.json</c>
/// (written last, so its presence means the others are complete), then the folder is flushed, renamed to
/// <c>NAME</c>, and the parent folder is flushed. A crash at any point leaves either no checkpoint of that name
/// or a complete one. <c>state.json</c> records the size and SHA-256 of the other two files and its own SHA-256.
/// Loading checks them; a checkpoint that fails (truncated, zeroed, a file missing, an edited counter) is skipped
/// with a warning naming it and the previous one is used. Checkpoints written before the hashes were recorded are
/// checked for plausible counters and sound file structure (<see cref="CheckpointFileCheck"/>); the loaders check
/// every file against the model and optimiser before TorchSharp reads it.
/// </para>
/// </summary>
public static class Checkpoint
{
    /// <summary>The files a checkpoint holds besides state.json.</summary>
    internal static readonly string[] DataFiles = ["model.bin", "optimizer.bin"];

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
        File.WriteAllBytes(statePath, CheckpointStateFile.Sealed(state with { Files = files }));
        DurableFile.FlushFile(statePath);
        DurableFile.FlushDirectory(tmp);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(tmp, final);
        DurableFile.FlushDirectory(run.CheckpointsPath);
        return final;
    }

    /// <summary>
    /// Why <paramref name="dir"/> is not a usable checkpoint, or null when it is: <c>state.json</c> must parse, match
    /// its own SHA-256 (when recorded), hold no unknown fields and plausible counters that agree with the folder's
    /// name; each data file must match its recorded size and SHA-256, or — in checkpoints written before those were
    /// recorded — have a sound structure (<see cref="CheckpointFileCheck"/>).
    /// </summary>
    public static string? Problem(string dir)
    {
        if (!File.Exists(Path.Combine(dir, "state.json"))) return "state.json is missing (the checkpoint was not finished)";
        var (state, problem) = CheckpointStateFile.Read(dir);
        if (problem is not null) return problem;
        foreach (var name in DataFiles)
        {
            string path = Path.Combine(dir, name);
            if (!File.Exists(path)) return $"{name} is missing";
            if (state!.Files is not null)
            {
                if (RecordProblem(path, state.Files[name], "state.json") is { } mismatch) return mismatch;
                continue;
            }
            // written before sizes and hashes were recorded: only the structure can be checked
            string? structure = name == "model.bin" ? CheckpointFileCheck.Model(path, null)
                : state.Config is { } config ? CheckpointFileCheck.Optimizer(path, config.Optimizer, null, state.Step) : null;
            if (structure is not null) return $"{name} is damaged: {structure}";
        }
        return null;
    }

    /// <summary>
    /// The newest usable checkpoint of a run (by step), or null when there is none; damaged ones newer than it are
    /// skipped with a warning naming them. Folders whose state.json cannot be read are checked (and reported) first,
    /// since their step is unknown.
    /// </summary>
    /// <exception cref="SelfSupError">Checkpoints exist but none is usable.</exception>
    public static string? Latest(RunDirectory run, Action<string>? warn = null)
    {
        warn ??= SelfSupWarnings.Write;
        var candidates = Candidates(run).OrderBy(c => c.StateReadable).ToList(); // stable: unreadable first, then newest first
        foreach (var (dir, _, _) in candidates)
        {
            if (Problem(dir) is not { } problem) return dir;
            warn($"checkpoint '{dir}' is unusable: {problem}; falling back to the previous one");
        }
        if (candidates.Count > 0)
            throw new SelfSupError($"no usable checkpoint in '{run.CheckpointsPath}': all {candidates.Count} are damaged (see the warnings above); start the run again without `resume`, or restore a checkpoint folder from a backup");
        return null;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> checkpoints, and leftover <c>.tmp</c> folders.</summary>
    public static void Prune(RunDirectory run, int keep)
    {
        if (!Directory.Exists(run.CheckpointsPath)) return;
        foreach (var tmp in Directory.GetDirectories(run.CheckpointsPath, "*.tmp")) TryDelete(tmp);
        foreach (var (dir, _, _) in Candidates(run).Skip(Math.Max(1, keep))) TryDelete(dir);
    }

    /// <summary>The checkpoint's <c>state.json</c>, checked as by <see cref="Problem"/>.</summary>
    /// <exception cref="SelfSupError">state.json is missing, damaged or implausible.</exception>
    public static TrainingState ReadState(string checkpointDir)
    {
        var path = Path.Combine(checkpointDir, "state.json");
        if (!File.Exists(path))
            throw new SelfSupError($"'{path}' is missing (the checkpoint was not finished); delete the folder '{checkpointDir}' to fall back to the previous checkpoint");
        var (state, problem) = CheckpointStateFile.Read(checkpointDir);
        if (problem is not null)
            throw new SelfSupError($"cannot use '{path}': {problem}; delete the folder '{checkpointDir}' to fall back to the previous checkpoint");
        return state!;
    }

    /// <summary>
    /// Loads the checkpoint's <c>model.bin</c> into <paramref name="encoder"/>, after checking it against its recorded
    /// size and SHA-256 (when <c>state.json</c> has them) and its structure against the encoder's tensors, so a
    /// damaged or foreign file is refused before TorchSharp reads it.
    /// </summary>
    /// <exception cref="SelfSupError">The file is missing, damaged or belongs to another model.</exception>
    public static void LoadModel(string checkpointDir, Encoder encoder)
    {
        var path = Path.Combine(checkpointDir, "model.bin");
        string? problem = FileProblem(checkpointDir, "model.bin", out _)
            ?? CheckpointFileCheck.Model(path, encoder.state_dict());
        const string advice = "it is damaged or from a different model (`model`/`width`/`proj_dim`)";
        if (problem is not null)
            throw new SelfSupError($"cannot load '{path}': {problem}; {advice}; delete the folder '{checkpointDir}' to fall back to the previous checkpoint");
        try { encoder.load(path); }
        catch (Exception e) when (e is not SelfSupError)
        {
            throw new SelfSupError($"cannot load '{path}' ({OneLine(e.Message)}); {advice}");
        }
    }

    /// <summary>
    /// Restores the checkpoint's <c>optimizer.bin</c> into <paramref name="optimizer"/> (built by
    /// <see cref="OptimizerFactory"/> as <paramref name="optimizerName"/> over <paramref name="parameters"/>), after the
    /// same checks as <see cref="LoadModel"/>.
    /// </summary>
    /// <exception cref="SelfSupError">The file is missing, damaged, or from another optimiser or model.</exception>
    public static void LoadOptimizer(string checkpointDir, ITrainingOptimizer optimizer, string optimizerName, IReadOnlyList<Tensor> parameters)
    {
        var path = Path.Combine(checkpointDir, "optimizer.bin");
        string? problem = FileProblem(checkpointDir, "optimizer.bin", out var state)
            ?? CheckpointFileCheck.Optimizer(path, optimizerName, parameters, state?.Step);
        string advice = $"it is damaged, or the run used another `optimizer` ({state?.Config?.Optimizer ?? "see its config.json"}) or model; resume with the run's own settings";
        if (problem is not null)
            throw new SelfSupError($"cannot restore the optimizer state from '{path}': {problem}; {advice}, or delete the folder '{checkpointDir}' to fall back to the previous checkpoint");
        try { optimizer.Load(path); }
        catch (Exception e) when (e is not SelfSupError)
        {
            throw new SelfSupError($"cannot restore the optimizer state from '{path}' ({OneLine(e.Message)}); {advice}");
        }
    }

    /// <summary>
    /// Checkpoint folders, newest first: ordered by the step in their state (from a step-N name when state.json cannot
    /// be read, else 0), epoch ends after mid-epoch ones of the same step.
    /// </summary>
    private static List<(string Dir, long Step, bool StateReadable)> Candidates(RunDirectory run)
    {
        if (!Directory.Exists(run.CheckpointsPath)) return [];
        return Directory.GetDirectories(run.CheckpointsPath)
            .Where(d => !d.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(d => (Dir: d, Known: StepOf(d)))
            .Where(c => c.Known.Step >= 0)
            .Select(c => (c.Dir, c.Known.Step, c.Known.Readable))
            .OrderByDescending(c => c.Step)
            .ThenByDescending(c => Path.GetFileName(c.Dir).StartsWith("epoch-", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>
    /// The step a checkpoint folder holds: from its state.json when readable, else from a step-N name (0 for an
    /// epoch-N name); −1 when it is not a checkpoint folder.
    /// </summary>
    private static (long Step, bool Readable) StepOf(string dir)
    {
        string name = Path.GetFileName(dir);
        if (!name.StartsWith("epoch-", StringComparison.Ordinal) && !name.StartsWith("step-", StringComparison.Ordinal)) return (-1, false);
        try { return (ReadState(dir).Step, true); }
        catch (Exception e) when (e is SelfSupError or IOException or UnauthorizedAccessException)
        {
            return (CheckpointStateFile.Numbered(name, "step-") ?? 0, false);
        }
    }

    /// <summary>
    /// Why the checkpoint's data file <paramref name="name"/> cannot be used before its structure is checked: missing,
    /// or not matching the size and SHA-256 recorded in a readable <c>state.json</c> (which is returned; null when the
    /// folder has none).
    /// </summary>
    private static string? FileProblem(string dir, string name, out TrainingState? state)
    {
        state = File.Exists(Path.Combine(dir, "state.json")) ? ReadState(dir) : null;
        string path = Path.Combine(dir, name);
        if (!File.Exists(path)) return "the file is missing";
        return state?.Files is { } files ? RecordProblem(path, files[name], $"'{Path.Combine(dir, "state.json")}'") : null;
    }

    /// <summary>Why <paramref name="path"/> does not match its record (kept in <paramref name="recordedIn"/>), or null.</summary>
    private static string? RecordProblem(string path, CheckpointFile record, string recordedIn)
    {
        string name = Path.GetFileName(path);
        long size = new FileInfo(path).Length;
        if (size != record.Size) return $"{name} has {size} bytes but {recordedIn} records {record.Size} (one of them is truncated or damaged)";
        if (Describe(path).Sha256 != record.Sha256) return $"{name} does not match the SHA-256 {recordedIn} records (one of them is damaged)";
        return null;
    }

    /// <summary>A message from elsewhere (an exception, a file), made one line and at most 200 characters.</summary>
    internal static string OneLine(string message)
    {
        var chars = message.Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator ? ' ' : c).Take(200);
        return new string(chars.ToArray()).Trim().TrimEnd('.') + (message.Length > 200 ? "…" : "");
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
