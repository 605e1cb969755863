using System.Globalization;
using System.Security.Cryptography;
using Encoding = System.Text.Encoding;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SelfSup.Training;

/// <summary>
/// A checkpoint's <c>state.json</c> (<see cref="TrainingState"/>): written sealed with the SHA-256 of its own bytes, and
/// read with every check — valid JSON with no unknown fields, its digest, plausible counters that agree with the
/// folder's name, and well-formed records of the data files.
/// </summary>
internal static class CheckpointStateFile
{
    /// <summary>state.json's own digest field; its 64 digits are read as zeros when the digest is computed.</summary>
    private static readonly Regex StateSha256Field = new("\"state_sha256\"\\s*:\\s*\"([^\"]*)\"", RegexOptions.CultureInvariant);

    /// <summary>The JSON names of <see cref="TrainingState"/>'s properties.</summary>
    private static readonly Lazy<HashSet<string>> StateKeys = new(() =>
        TrainConfig.Json.GetTypeInfo(typeof(TrainingState)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal));

    /// <summary>Fields of older state.json files that are no longer read.</summary>
    private static readonly HashSet<string> RetiredStateKeys = ["rng_next_epoch"];

    /// <summary>state.json's bytes for <paramref name="state"/>, with <see cref="TrainingState.StateSha256"/> the digest of those bytes.</summary>
    public static byte[] Sealed(TrainingState state)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(state with { StateSha256 = new string('0', 64) }, TrainConfig.Json));
        int at = StateSha256Field.Matches(Encoding.Latin1.GetString(bytes)).Single().Groups[1].Index;
        Encoding.ASCII.GetBytes(StateDigest(bytes, at)).CopyTo(bytes, at);
        return bytes;
    }

    /// <summary>
    /// Reads and checks <c>state.json</c>: valid JSON of a <see cref="TrainingState"/> with no unknown fields, its own
    /// SHA-256 (when recorded), and counters that are plausible and agree with the folder's name. Returns the state,
    /// or the reason it is unusable (starting with "state.json").
    /// </summary>
    public static (TrainingState? State, string? Problem) Read(string dir)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(dir, "state.json"));
        string text = Encoding.UTF8.GetString(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? bytes.AsSpan(Encoding.UTF8.Preamble.Length) : bytes);
        TrainingState state;
        try
        {
            using (var document = JsonDocument.Parse(text))
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, "state.json is not a JSON object");
                foreach (var property in document.RootElement.EnumerateObject())
                    if (!StateKeys.Value.Contains(property.Name) && !RetiredStateKeys.Contains(property.Name))
                        return (null, $"state.json has the unknown field '{Checkpoint.OneLine(property.Name)}' (damaged, or written by a newer SelfSup)");
            }
            state = JsonSerializer.Deserialize<TrainingState>(text, TrainConfig.Json) ?? throw new JsonException("the training state is null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return (null, $"state.json is not valid ({Checkpoint.OneLine(e.Message)})");
        }
        string? problem = StateDigestProblem(bytes, state) ?? StateProblem(state, Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)));
        return problem is null ? (state, null) : (null, problem);
    }

    /// <summary>Why <paramref name="bytes"/> (state.json) do not match the SHA-256 they record, or null (also when none is recorded).</summary>
    private static string? StateDigestProblem(byte[] bytes, TrainingState state)
    {
        var fields = StateSha256Field.Matches(Encoding.Latin1.GetString(bytes)); // Latin-1: one character per byte, so indexes are offsets
        if (state.StateSha256 is null && fields.Count == 0) return null; // written before it was recorded
        if (fields.Count != 1 || state.StateSha256 is null || !IsSha256(state.StateSha256) || fields[0].Groups[1].Value != state.StateSha256)
            return "state.json's state_sha256 field is damaged";
        return StateDigest(bytes, fields[0].Groups[1].Index) == state.StateSha256 ? null : "state.json does not match its SHA-256 (damaged or edited)";
    }

    /// <summary>SHA-256 of state.json's bytes with the 64 digits at <paramref name="at"/> read as zeros.</summary>
    private static string StateDigest(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy.AsSpan(at, 64).Fill((byte)'0');
        return Convert.ToHexStringLower(SHA256.HashData(copy));
    }

    /// <summary>Why the counters of <paramref name="s"/> cannot describe a checkpoint named <paramref name="folder"/>, or null.</summary>
    private static string? StateProblem(TrainingState s, string folder)
    {
        if (s.Epoch < 0) return $"state.json has a negative epoch ({s.Epoch})";
        if (s.BatchInEpoch < 0) return $"state.json has a negative batch_in_epoch ({s.BatchInEpoch})";
        if (s.Step < 0) return $"state.json has a negative step ({s.Step})";
        if (s.ImagesSeen < 0) return $"state.json has a negative images_seen ({s.ImagesSeen})";
        if (!double.IsFinite(s.PretrainSeconds) || s.PretrainSeconds < 0) return $"state.json has an impossible pretrain_seconds ({s.PretrainSeconds})";
        if (!double.IsFinite(s.CpuSeconds) || s.CpuSeconds < 0) return $"state.json has an impossible cpu_seconds ({s.CpuSeconds})";
        if (s.Step < (long)s.Epoch + s.BatchInEpoch)
            return $"state.json says {s.Step} steps after {s.Epoch} epochs and {s.BatchInEpoch} batches, but every epoch and batch takes a step";
        if (Numbered(folder, "epoch-") is { } epoch && (s.Epoch != epoch || s.BatchInEpoch != 0))
            return $"state.json is for epoch {s.Epoch}, batch {s.BatchInEpoch}, but its folder '{folder}' holds the end of epoch {epoch}";
        if (Numbered(folder, "step-") is { } step && (s.Step != step || s.BatchInEpoch == 0))
            return $"state.json is for step {s.Step} (batch {s.BatchInEpoch} of epoch {s.Epoch + 1L}), but its folder '{folder}' holds step {step} inside an epoch";
        if (s.Config is { } config && !OptimizerFactory.Names.Contains(config.Optimizer))
            return $"state.json names the unknown optimizer '{Checkpoint.OneLine(config.Optimizer ?? "null")}'";
        try { JsonSerializer.SerializeToUtf8Bytes(s, TrainConfig.Json); }
        catch (ArgumentException) { return "state.json holds a number too large for a double (such as 1e999), which the next checkpoint could not write"; }
        if (s.Files is not null)
            foreach (var name in Checkpoint.DataFiles)
                if (!s.Files.TryGetValue(name, out var record) || record is null || record.Size < 0 || record.Sha256 is null || !IsSha256(record.Sha256))
                    return $"state.json's record of {name} is missing or damaged";
        return null;
    }

    /// <summary>N of a folder named <paramref name="prefix"/>N (digits only), or null.</summary>
    public static long? Numbered(string folder, string prefix) =>
        folder.StartsWith(prefix, StringComparison.Ordinal) && long.TryParse(folder.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;

    private static bool IsSha256(string text) => text.Length == 64 && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
