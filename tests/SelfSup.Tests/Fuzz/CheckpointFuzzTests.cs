using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelfSup.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static SelfSup.Tests.Fuzz.CheckpointFuzzFixture;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile checkpoint folders: model.bin, optimizer.bin and state.json of real adam, sgd and lars checkpoints
/// truncated, flipped, extended, deleted, with TorchSharp's LEB128 size and shape fields and the optimisers' counts,
/// step counts, hyperparameters and flags set to huge, negative or inconsistent values, state.json garbled, given
/// wrong types, negative or misplaced counters and size/hash records that lie. Two regimes:
/// <list type="bullet">
/// <item>hashed (as SelfSup writes checkpoints now: state.json records each file's size and SHA-256 and its own):
/// every change is reported by <see cref="Checkpoint.Problem"/>; <see cref="Checkpoint.Latest"/> warns in one line
/// and falls back to the older intact checkpoint (or fails in one line when both are damaged), which loads exactly
/// the weights and optimiser state the trainer saved; the loaders refuse the damaged one in one line naming the file;</item>
/// <item>legacy (state.json without those records, as older versions wrote it): the bytes reach the structure
/// check and TorchSharp's loaders, which must refuse them in one line naming the file, or load exactly what the
/// file holds. Changed tensor data and step counts cannot be told from real ones without hashes; those cases are
/// counted separately.</item>
/// </list>
/// Every <see cref="ResumeEvery"/>th case also resumes the whole run with <see cref="Pretrainer.Run"/>, which must restore
/// the newest usable checkpoint exactly, or fail in one line.
/// </summary>
public sealed class CheckpointFuzzTests(CheckpointFuzzFixture fixture, ITestOutputHelper output) : IClassFixture<CheckpointFuzzFixture>
{
    private const int Cases = 1000;
    private const int ResumeEvery = 50;
    /// <summary>Every this many cases also loads the checkpoint Latest chose and compares it with the trainer's.</summary>
    private const int LoadChosenEvery = 25;

    [Fact]
    public void Damage_to_a_hashed_checkpoint_is_reported_and_the_previous_one_is_used() => Fuzz(legacy: false, seed: 91);

    [Fact]
    public void A_damaged_legacy_checkpoint_loads_as_written_or_fails_in_one_line_naming_the_file() => Fuzz(legacy: true, seed: 92);

    private void Fuzz(bool legacy, int seed)
    {
        foreach (var r in fixture.Runs.Values)
        {
            Assert.Equal(fixture.ModelLayout.Length, r.Hashed[Newest]["model.bin"].Length);
            Assert.Equal(r.OptimizerLayout.Length, r.Hashed[Newest]["optimizer.bin"].Length);
            foreach (var checkpoint in Checkpoints) Assert.Equal(r.Hashed[checkpoint]["state.json"], Reseal(r.Hashed[checkpoint]["state.json"]));
        }
        string work = fixture.Dir.File(legacy ? "legacy" : "hashed");
        foreach (var r in fixture.Runs.Values) CopyFolder(r.RunPath(legacy), Path.Combine(work, r.Optimizer));

        var crafted = Crafted(legacy);
        var cases = crafted.Concat(RandomCases(legacy, seed)).ToList();
        var run = new FuzzRun(legacy ? "checkpoint, legacy (no sizes/hashes)" : "checkpoint, hashed (sizes + SHA-256)", output);
        var outcomes = new SortedDictionary<string, int>();
        var dirty = new List<(string Optimizer, CheckpointEdit Edit)>();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            foreach (var (kind, edit) in dirty)
                File.WriteAllBytes(Path.Combine(work, kind, "checkpoints", edit.Checkpoint, edit.File), fixture.Runs[kind].Files(legacy)[edit.Checkpoint][edit.File]);
            dirty.Clear();
            foreach (var edit in c.Edits)
            {
                Apply(Path.Combine(work, c.Optimizer), edit);
                dirty.Add((c.Optimizer, edit));
            }
            string named = Path.Combine(work, c.Optimizer, "checkpoints", c.Edits[0].Checkpoint, c.Edits[0].File);
            bool resume = i % ResumeEvery == 0, loadChosen = i % LoadChosenEvery == 0;
            run.Case(c.Mutation, named, () => Check(c, legacy, new RunDirectory(Path.Combine(work, c.Optimizer)), resume, loadChosen, outcomes, i));
        }
        if (fixture.NanRetries > 0) output.WriteLine($"{fixture.NanRetries} reference run(s) trained again after a step left NaN in the weights");
        output.WriteLine($"{cases.Count - crafted.Count} random and {crafted.Count} hand-written cases over adam, sgd and lars checkpoints; outcomes:");
        foreach (var (outcome, count) in outcomes) output.WriteLine($"  {count,5}  {outcome}");
        Assert.True(cases.Count - crafted.Count >= Cases);
        run.Finish();
    }

    /// <summary>What is wrong with how the damaged folder was handled, or null; a loader's one-line SelfSupError passes through.</summary>
    private string? Check(CheckpointCase c, bool legacy, RunDirectory runDir, bool resume, bool loadChosen, SortedDictionary<string, int> outcomes, int index)
    {
        var r = fixture.Runs[c.Optimizer];
        var originals = r.Files(legacy);
        string Dir(string checkpoint) => Path.Combine(runDir.CheckpointsPath, checkpoint);
        var changed = c.Edits.Where(e => e.Bytes is null || !e.Bytes.AsSpan().SequenceEqual(originals[e.Checkpoint][e.File]))
            .Select(e => e.Checkpoint).Distinct().ToList();
        void Count(string outcome) { lock (outcomes) outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1; }

        // 1. Problem: one line naming a file; every change found when hashes are recorded; intact folders pass
        var problems = Checkpoints.ToDictionary(cp => cp, cp => Checkpoint.Problem(Dir(cp)));
        foreach (var (cp, p) in problems)
        {
            if (p is not null && (p.Contains('\n') || p.Contains('\r'))) return $"Problem({cp}) is not one line: {p}";
            if (p is not null && !FileNames.Any(p.Contains)) return $"Problem({cp}) names no file: {p}";
            if (!changed.Contains(cp) && p is not null) return $"the intact {cp} was reported: {p}";
            if (!legacy && changed.Contains(cp) && p is null) return $"the damage to {cp} was not detected by Problem";
        }
        string target = c.Edits[0].Checkpoint;
        if (c.ExpectProblem == "" && problems[target] is { } unexpected) return $"expected no problem, got: {unexpected}";
        if (c.ExpectProblem is { Length: > 0 } expected && problems[target]?.Contains(expected) != true)
            return $"expected Problem to say '{expected}', got: {problems[target] ?? "no problem"}";

        // 2. Latest: the newest folder Problem passes, a one-line warning for each damaged newer one, a one-line error when none
        string? usable = new[] { Newest, Older }.FirstOrDefault(cp => problems[cp] is null);
        var warnings = new List<string>();
        try
        {
            string? latest = Checkpoint.Latest(runDir, warnings.Add);
            if (usable is null) return "Latest returned a checkpoint though all are damaged";
            if (latest != Dir(usable)) return $"Latest chose '{latest}', expected {usable}";
            if (usable == Older && !warnings.Any(w => w.Contains(Dir(Newest)) && !w.Contains('\n'))) return $"no one-line warning names the damaged {Newest}";
        }
        catch (SelfSupError e)
        {
            if (usable is not null) return $"Latest failed though {usable} is usable: {e.Message}";
            if (e.Message.Contains('\n') || !e.Message.Contains(runDir.CheckpointsPath)) return $"Latest's error is not one line naming the checkpoints folder: {e.Message}";
        }
        if (usable is not null && !changed.Contains(usable) && loadChosen && Load(r, Dir(usable), usable, legacy, out _) is { } wrongChosen)
            return $"the checkpoint Latest chose: {wrongChosen}";

        // 3. (sampled) the whole resume
        if (resume && Resume(c, r, legacy, usable, changed, index) is { } wrongResume) return wrongResume;

        // 4. the loaders on the changed checkpoint(s): a one-line SelfSupError naming the file, or exactly what the file holds
        foreach (var cp in changed.Count > 0 ? changed : [target])
        {
            string reported = usable is null ? "every checkpoint damaged: Problem reports each, Latest fails in one line"
                : $"{(cp == Newest ? "newest" : "older")} checkpoint damaged: Problem reports it, Latest uses the {(usable == Newest ? "newest" : "older")}";
            string? wrong;
            string accepted;
            try { wrong = Load(r, Dir(cp), cp, legacy, out accepted); }
            catch (SelfSupError)
            {
                Count(problems[cp] is null ? "structure sound but refused when loaded against the model (a resume fails in one line)" : reported + "; the loaders refuse it in one line");
                throw;
            }
            if (wrong is not null) return wrong;
            if (!legacy && changed.Contains(cp)) return $"the loaders accepted the damaged hashed {cp}";
            if (problems[cp] is { } p) return $"Problem reported '{p}' but the loaders accepted {cp}";
            Count(changed.Count == 0 ? "the mutation left the bytes as they were: used as is" : "accepted by Problem and the loaders: " + accepted);
        }
        return null;
    }

    /// <summary>
    /// Loads checkpoint <paramref name="checkpoint"/> in <paramref name="dir"/> as a resume does (SelfSupError passes
    /// through) and returns what is wrong with what was loaded, or null; <paramref name="accepted"/> says how the
    /// loaded state relates to the original.
    /// </summary>
    private string? Load(FuzzCheckpointRun r, string dir, string checkpoint, bool legacy, out string accepted)
    {
        accepted = "identical to the original";
        var encoder = fixture.Encoder;
        var optimizer = fixture.Optimizers[r.Optimizer];
        using (torch.no_grad())
        using (torch.NewDisposeScope())
            foreach (var t in encoder.state_dict().Values) t.fill_(7);
        var state = Checkpoint.ReadState(dir);
        Checkpoint.LoadModel(dir, encoder);
        Checkpoint.LoadOptimizer(dir, optimizer, r.Optimizer, fixture.Parameters);

        var originals = r.Files(legacy)[checkpoint];
        byte[] model = File.ReadAllBytes(Path.Combine(dir, "model.bin"));
        using (var saved = new MemoryStream())
        {
            encoder.save(saved);
            if (!saved.ToArray().AsSpan().SequenceEqual(model)) return "the loaded model does not save back to the bytes of model.bin (misread)";
        }
        bool modelChanged = !model.AsSpan().SequenceEqual(originals["model.bin"]);
        if (modelChanged && !fixture.ModelLayout.DiffersOnlyInData(model, originals["model.bin"])) return "a model.bin with changed headers was accepted";
        if (!modelChanged && Differing(encoder, r.Weights[checkpoint]) is { } name) return $"{name} differs from the weights the trainer saved";

        // the hyperparameters are the optimiser's own (not the file's); everything else must be what the file holds
        byte[] expected = File.ReadAllBytes(Path.Combine(dir, "optimizer.bin"));
        foreach (var (start, length) in r.OptimizerLayout.Options) originals["optimizer.bin"].AsSpan(start, length).CopyTo(expected.AsSpan(start, length));
        string resaved = fixture.Dir.File("resaved.bin");
        optimizer.Save(resaved);
        if (!File.ReadAllBytes(resaved).AsSpan().SequenceEqual(expected)) return "the loaded optimizer state does not save back to the bytes of optimizer.bin (misread)";
        bool optimizerChanged = !expected.AsSpan().SequenceEqual(originals["optimizer.bin"]);
        if (optimizerChanged && !r.OptimizerLayout.DiffersOnlyInData(expected, originals["optimizer.bin"])) return "an optimizer.bin with changed headers was accepted";

        var original = JsonSerializer.Deserialize<TrainingState>(originals["state.json"], TrainConfig.Json)!;
        bool stateChanged = JsonSerializer.Serialize(state, TrainConfig.Json) != JsonSerializer.Serialize(original, TrainConfig.Json);
        if (!legacy && (modelChanged || optimizerChanged || stateChanged)) return "a hashed checkpoint was loaded with values that differ from the original";
        if (modelChanged || optimizerChanged) accepted = "tensor data or Adam step counts differ (no hashes to tell)";
        else if (stateChanged) accepted = "state values differ (no hashes to tell)";
        return null;
    }

    /// <summary>
    /// Resumes a copy of the damaged run with <see cref="Pretrainer.Run"/> under a one-step cap, so it restores the
    /// checkpoint it chooses (state, model, optimiser) and stops there without training: it must come back with the
    /// step and the exact weights of the newest usable checkpoint (unless that is a legacy one whose data changed), or
    /// fail in one line when none is usable or (legacy) the one chosen is refused by the loaders.
    /// </summary>
    private string? Resume(CheckpointCase c, FuzzCheckpointRun r, bool legacy, string? usable, List<string> changed, int index)
    {
        string copy = fixture.Dir.File($"resume-{(legacy ? "legacy" : "hashed")}-{index}");
        CopyFolder(r.RunPath(legacy), copy);
        foreach (var edit in c.Edits) Apply(copy, edit);
        var warnings = new List<string>();
        try
        {
            var result = new Pretrainer(r.Config with { Steps = 1 }, new RunDirectory(copy)) { Warn = warnings.Add }.Run(resume: true);
            using var encoder = result.Encoder;
            if (usable is null) return "the resume succeeded though no checkpoint is usable";
            if (warnings.Any(w => w.Contains('\n'))) return "a resume warning is not one line";
            long step = usable == Newest ? 2 : 1;
            if (result.State.Step != step) return $"the resume restored step {result.State.Step}, not {step} of {usable}";
            if (changed.Contains(usable)) return null; // legacy data that cannot be checked
            return Differing(encoder, r.Weights[usable]) is { } name ? $"after the resume {name} differs from the weights of {usable}" : null;
        }
        catch (SelfSupError e)
        {
            if (e.Message.Contains('\n')) return $"the resume's error is not one line: {e.Message}";
            bool expected = usable is null || (legacy && changed.Contains(usable));
            return expected ? null : $"the resume failed though {usable} is usable: {e.Message}";
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private IEnumerable<CheckpointCase> RandomCases(bool legacy, int seed)
    {
        var rng = new Random(seed);
        var binary = new Mutator(seed * 10 + 1);
        var text = new Mutator(seed * 10 + 2, text: true);
        for (int i = 0; i < Cases; i++)
        {
            string kind = rng.Next(10) < 6 ? "adam" : rng.Next(2) == 0 ? "sgd" : "lars";
            var r = fixture.Runs[kind];
            string checkpoint = rng.Next(100) < 85 ? Newest : Older;
            int f = rng.Next(100);
            string file = f < 42 ? "model.bin" : f < 80 ? "optimizer.bin" : "state.json";
            byte[] original = r.Files(legacy)[checkpoint][file];
            if (rng.Next(100) < 2)
            {
                yield return new CheckpointCase(kind, [new(checkpoint, file, null)], new Mutation([], "delete", $"delete {checkpoint}/{file} ({kind})"));
                continue;
            }
            var mutation = file == "state.json" ? text.Mutate(original)
                : binary.Mutate(original, file == "model.bin" ? fixture.ModelLayout.Fields : r.OptimizerLayout.Fields);
            yield return new CheckpointCase(kind, [new(checkpoint, file, mutation.Bytes)], mutation with { Description = $"{checkpoint}/{file} ({kind}): {mutation.Description}" });
        }
    }

    /// <summary>Hand-written cases: hostile LEB128 and fixed-width fields, renamed entries, deletions, and state.json edits with the reason Problem must give.</summary>
    private List<CheckpointCase> Crafted(bool legacy)
    {
        var cases = new List<CheckpointCase>();
        void Add(string kind, string checkpoint, string file, byte[]? bytes, string what, string? expect = null) =>
            cases.Add(new CheckpointCase(kind, [new(checkpoint, file, bytes)], new Mutation(bytes ?? [], "crafted", $"{checkpoint}/{file} ({kind}): {what}"), expect));
        byte[] Original(string kind, string file, string checkpoint = Newest) => fixture.Runs[kind].Files(legacy)[checkpoint][file];

        // LEB128 fields (counts, name lengths, element types, dimensions) spliced with hostile encodings
        (string Name, byte[] Bytes)[] hostile =
        [
            ("2^31", TorchSharpLayout.Leb128(1UL << 31)), ("2^40", TorchSharpLayout.Leb128(1UL << 40)), ("2^62", TorchSharpLayout.Leb128(1UL << 62)),
            ("2^63-1", TorchSharpLayout.Leb128(long.MaxValue)), ("2^63 (10 bytes; long.MinValue when decoded)", TorchSharpLayout.Leb128(1UL << 63)),
            ("2^64-1 (10 bytes; -1 when decoded)", TorchSharpLayout.Leb128(ulong.MaxValue)), ("0 in 20 bytes", [.. Enumerable.Repeat((byte)0x80, 19), 0]),
        ];
        void Varints(string kind, string file, TorchSharpLayout layout, IEnumerable<int> which)
        {
            byte[] original = Original(kind, file);
            foreach (int v in which)
            {
                var (name, start, length) = layout.Varints[v];
                foreach (var (what, bytes) in hostile)
                    Add(kind, Newest, file, [.. original[..start], .. bytes, .. original[(start + length)..]], $"{name} = {what}");
                Add(kind, Newest, file, [.. original[..start], .. Enumerable.Repeat((byte)0x80, 6)], $"{name}: continuation bytes to the end of the file");
            }
        }
        var model = fixture.ModelLayout;
        int middle = Enumerable.Range(0, model.Varints.Count).Where(v => model.Varints[v].Name.StartsWith("dimensions of")).ElementAt(10);
        Varints("adam", "model.bin", model, [0, 1, 2, 3, 4, middle, middle + 1]);
        Varints("adam", "optimizer.bin", fixture.Runs["adam"].OptimizerLayout, [0, 1, 2, 3, 4, 5]);
        Varints("sgd", "optimizer.bin", fixture.Runs["sgd"].OptimizerLayout, [2, 3, 4, 5]);
        Varints("lars", "optimizer.bin", fixture.Runs["lars"].OptimizerLayout, [0, 1, 2]);

        // fixed-width fields: LARS's count, Adam's step counts, hyperparameters, flags
        byte[] Set(string kind, string field, byte[] value)
        {
            var bytes = (byte[])Original(kind, "optimizer.bin").Clone();
            value.CopyTo(bytes, fixture.Runs[kind].OptimizerLayout.Fields.First(f => f.Name == field).Offset);
            return bytes;
        }
        foreach (int count in new[] { -1, int.MaxValue, int.MinValue, 0, fixture.Parameters.Count + 1 })
            Add("lars", Newest, "optimizer.bin", Set("lars", "parameter count", BitConverter.GetBytes(count)), $"parameter count = {count}");
        foreach (long step in new[] { -1, long.MaxValue, long.MinValue, 3 })
            Add("adam", Newest, "optimizer.bin", Set("adam", "step 0", BitConverter.GetBytes(step)), $"Adam step count of parameter 0 = {step}");
        foreach (var (field, value) in new[] { ("beta1", double.NaN), ("beta1", 1.0), ("lr", -1.0), ("eps", double.PositiveInfinity), ("weight decay", 0.5) })
            Add("adam", Newest, "optimizer.bin", Set("adam", field, BitConverter.GetBytes(value)), $"{field} = {value}");
        Add("sgd", Newest, "optimizer.bin", Set("sgd", "momentum", BitConverter.GetBytes(0.0)), "momentum = 0");
        foreach (var (kind, field, value) in new[] { ("adam", "amsgrad", 1), ("adam", "maximize", 1), ("adam", "maximize", 2), ("adam", "max_exp_avg_sq flag 3", 1), ("sgd", "nesterov", 1), ("sgd", "momentum flag 0", 0), ("lars", "velocity flag 0", 0) })
            Add(kind, Newest, "optimizer.bin", Set(kind, field, [(byte)value]), $"{field} = {value}");

        // model.bin entries: another element type of the same size, a duplicated, an unknown and a non-UTF-8 name, a line break
        byte[] Rename(string from, string to)
        {
            var bytes = (byte[])Original("adam", "model.bin").Clone();
            var (_, start, length) = model.Varints.First(v => v.Name == $"length of name of {from}");
            Encoding.UTF8.GetBytes(to).CopyTo(bytes, start + length);
            return bytes;
        }
        Add("adam", Newest, "model.bin", Rename("backbone.layer1.0.conv1.weight", "backbone.layer1.0.conv2.weight"), "conv1 renamed conv2: a name twice, conv1 never loaded");
        Add("adam", Newest, "model.bin", Rename("backbone.layer1.0.conv1.weight", "backbone.layer1.0.convX.weight"), "an unknown name");
        Add("adam", Newest, "model.bin", Rename("backbone.layer1.0.conv1.weight", "backbone.layer1.0.conv1\nweight"), "a line break in a name");
        var invalid = Rename("backbone.layer1.0.conv1.weight", "backbone.layer1.0.conv1.weight");
        invalid[model.Varints.First(v => v.Name == "length of name of backbone.layer1.0.conv1.weight").Start + 3] = 0xff;
        Add("adam", Newest, "model.bin", invalid, "a name that is not UTF-8");
        var int32 = (byte[])Original("adam", "model.bin").Clone();
        int32[model.Varints.First(v => v.Name == "element type of backbone.layer1.0.conv1.weight").Start] = (byte)torch.ScalarType.Int32;
        Add("adam", Newest, "model.bin", int32, "a float32 tensor said to be int32 (same size)");
        Add("adam", Newest, "model.bin", [.. Original("adam", "model.bin"), 0], "one byte appended");
        Add("adam", Newest, "model.bin", [], "empty");
        Add("adam", Newest, "optimizer.bin", new byte[Original("adam", "optimizer.bin").Length], "zeroed");

        // files deleted; both checkpoints damaged
        foreach (var checkpoint in Checkpoints)
            foreach (var file in FileNames)
                Add("adam", checkpoint, file, null, "deleted");
        cases.Add(new CheckpointCase("sgd", [new(Newest, "model.bin", null), new(Older, "state.json", [])],
            new Mutation([], "crafted", "both checkpoints damaged: newest model.bin deleted, older state.json empty (sgd)")));

        // state.json: wrong types, impossible or misplaced counters, lying records (sealed again when the regime has a state digest)
        void State(string checkpoint, string what, Action<JsonObject> edit, string? expect)
        {
            var state = JsonNode.Parse(Original("adam", "state.json", checkpoint))!.AsObject();
            if (legacy && what.StartsWith("files")) state["files"] = JsonNode.Parse(fixture.Runs["adam"].Hashed[checkpoint]["state.json"])!["files"]!.DeepClone();
            edit(state);
            byte[] bytes = Encoding.UTF8.GetBytes(state.ToJsonString(TrainConfig.Json));
            Add("adam", checkpoint, "state.json", legacy ? bytes : Reseal(bytes), what, expect);
        }
        State(Newest, "step -2", s => s["step"] = -2, "negative step");
        State(Newest, "epoch -1", s => s["epoch"] = -1, "negative epoch");
        State(Older, "batch_in_epoch -1", s => s["batch_in_epoch"] = -1, "negative batch_in_epoch");
        State(Newest, "images_seen -16", s => s["images_seen"] = -16, "negative images_seen");
        State(Newest, "pretrain_seconds -1", s => s["pretrain_seconds"] = -1, "impossible pretrain_seconds");
        State(Older, "step 7 in step-000000001", s => s["step"] = 7, "holds step 1");
        State(Older, "step 2^63-1 in step-000000001", s => s["step"] = long.MaxValue, "holds step 1");
        State(Older, "batch_in_epoch 0 in a step folder", s => s["batch_in_epoch"] = 0, "holds step 1 inside an epoch");
        State(Newest, "epoch 0 in epoch-0001", s => s["epoch"] = 0, "holds the end of epoch 1");
        State(Newest, "batch_in_epoch 1 in epoch-0001", s => s["batch_in_epoch"] = 1, "holds the end of epoch 1");
        State(Newest, "step 0 after an epoch", s => s["step"] = 0, "every epoch and batch takes a step");
        State(Newest, "epoch 2^31-1", s => s["epoch"] = int.MaxValue, "every epoch and batch takes a step");
        State(Newest, "step \"two\"", s => s["step"] = "two", "not valid");
        State(Newest, "epoch 1.5", s => s["epoch"] = 1.5, "not valid");
        State(Newest, "epoch 2^31", s => s["epoch"] = 1L << 31, "not valid");
        State(Newest, "finished \"yes\"", s => s["finished"] = "yes", "not valid");
        State(Newest, "config 5", s => s["config"] = 5, "not valid");
        State(Newest, "peak_rss_mb_per_epoch {}", s => s["peak_rss_mb_per_epoch"] = new JsonObject(), "not valid");
        State(Newest, "an unknown field", s => s["rng_state"] = 1, "unknown field");
        State(Newest, "optimizer adamw in the config", s => s["config"]!["optimizer"] = "adamw", "unknown optimizer");
        State(Newest, "files: model.bin one byte longer", s => s["files"]!["model.bin"]!["size"] = s["files"]!["model.bin"]!["size"]!.GetValue<long>() + 1, "model.bin has");
        State(Newest, "files: optimizer.bin with model.bin's SHA-256", s => s["files"]!["optimizer.bin"]!["sha256"] = s["files"]!["model.bin"]!["sha256"]!.GetValue<string>(), "optimizer.bin does not match the SHA-256");
        State(Newest, "files: no optimizer.bin", s => s["files"]!.AsObject().Remove("optimizer.bin"), "record of optimizer.bin");
        State(Newest, "files: SHA-256 in upper case", s => s["files"]!["model.bin"]!["sha256"] = s["files"]!["model.bin"]!["sha256"]!.GetValue<string>().ToUpperInvariant(), "record of model.bin");
        State(Newest, "files: size -1", s => s["files"]!["model.bin"]!["size"] = -1, "record of model.bin");
        State(Newest, "files: model.bin null", s => s["files"]!["model.bin"] = null, "record of model.bin");
        State(Newest, "files: []", s => s["files"] = new JsonArray(), "not valid");
        if (legacy)
        {
            State(Newest, "a field older versions wrote (rng_next_epoch)", s => s["rng_next_epoch"] = 1, "");
        }
        else
        {
            byte[] sealedState = Original("adam", "state.json");
            string text = Encoding.Latin1.GetString(sealedState);
            int digest = text.IndexOf("\"state_sha256\": \"", StringComparison.Ordinal) + "\"state_sha256\": \"".Length;
            var digit = (byte[])sealedState.Clone();
            digit[digest] = (byte)(digit[digest] == (byte)'0' ? '1' : '0');
            Add("adam", Newest, "state.json", digit, "one digit of state_sha256 changed", "does not match its SHA-256");
            var upper = (byte[])sealedState.Clone();
            Encoding.ASCII.GetBytes(text.Substring(digest, 64).ToUpperInvariant().Replace('0', 'A')).CopyTo(upper, digest);
            Add("adam", Newest, "state.json", upper, "state_sha256 in upper case", "state_sha256 field is damaged");
            var images = JsonNode.Parse(sealedState)!.AsObject();
            images["images_seen"] = 17;
            Add("adam", Newest, "state.json", Encoding.UTF8.GetBytes(images.ToJsonString(TrainConfig.Json)), "images_seen 17 (not sealed again)", "does not match its SHA-256");
        }
        foreach (var (what, json, expect) in new[] { ("empty", "", "not valid"), ("null", "null", "not a JSON object"), ("[]", "[]", "not a JSON object"), ("{", "{", "not valid"), ("100 nested arrays", new string('[', 100) + new string(']', 100), "not") })
            Add("adam", Newest, "state.json", Encoding.UTF8.GetBytes(json), $"state.json: {what}", expect);
        return cases;
    }

    /// <summary>The name of the first tensor of <paramref name="encoder"/> whose bytes differ from <paramref name="expected"/>, or null.</summary>
    private static string? Differing(SelfSup.Models.Encoder encoder, Dictionary<string, byte[]> expected)
    {
        var actual = CheckpointFuzzFixture.Snapshot(encoder);
        return actual.Keys.Order().FirstOrDefault(name => !expected.TryGetValue(name, out var bytes) || !bytes.AsSpan().SequenceEqual(actual[name]))
            ?? (actual.Count == expected.Count ? null : "the set of tensors");
    }

    /// <summary>Writes (or deletes) one edited file in the run folder <paramref name="runPath"/>.</summary>
    private static void Apply(string runPath, CheckpointEdit edit)
    {
        string path = Path.Combine(runPath, "checkpoints", edit.Checkpoint, edit.File);
        if (edit.Bytes is null) File.Delete(path);
        else File.WriteAllBytes(path, edit.Bytes);
    }

    /// <summary>
    /// state.json with its state_sha256 set as documented — the SHA-256 of the file's bytes with those 64 digits
    /// written as zeros — so an edited state reaches the checks behind the digest.
    /// </summary>
    private static byte[] Reseal(byte[] json)
    {
        const string key = "\"state_sha256\": \"";
        int at = Encoding.Latin1.GetString(json).IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return json;
        at += key.Length;
        var bytes = (byte[])json.Clone();
        bytes.AsSpan(at, 64).Fill((byte)'0');
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(bytes))).CopyTo(bytes, at);
        return bytes;
    }
}
