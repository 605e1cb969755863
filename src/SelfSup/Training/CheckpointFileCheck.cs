using System.Globalization;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Walks a checkpoint's <c>model.bin</c> or <c>optimizer.bin</c> in TorchSharp's own format before TorchSharp
/// reads it, so a damaged file is reported instead of reaching loaders that trust its size fields (a shape
/// length read as a count allocates an array of that length; a tensor missing from the optimizer is created
/// with whatever shape the file gives). Only headers are read; tensor data is skipped after checking that it is
/// all there, and nothing may follow the last entry.
/// <para>
/// <c>model.bin</c> (<c>Module.save</c>): LEB128 entry count, then per entry a .NET string name and a tensor.
/// A tensor (<c>Tensor.Save</c>): LEB128 element type, LEB128 number of dimensions, one LEB128 per dimension,
/// then the raw little-endian data. <c>optimizer.bin</c> for adam and sgd (<c>save_state_dict</c>): the
/// optimiser's class name, LEB128 parameter-group and state counts, each group's options (doubles and
/// booleans), each parameter's state (Adam: int64 step, exp_avg, exp_avg_sq, optional max_exp_avg_sq;
/// SGD: optional momentum buffer). lars (<see cref="LarsOptimizer"/>): int32 count, then per parameter a
/// presence flag and the velocity tensor.
/// </para>
/// <para>
/// Given the model's tensors, every name, element type and shape must be the model's (TorchSharp would refuse
/// them later, but only after reading — and, for optimiser state, allocating — what the file says); without
/// them (when <see cref="Checkpoint.Problem"/> checks a checkpoint that has no recorded hashes) the walk checks
/// the structure alone.
/// </para>
/// </summary>
internal static class CheckpointFileCheck
{
    private const int MaxNameBytes = 4096;
    private const int MaxDimensions = 16;

    /// <summary>Why <paramref name="path"/> is not a model state dict for <paramref name="expected"/> (name → tensor), or null.</summary>
    public static string? Model(string path, IReadOnlyDictionary<string, Tensor>? expected) => Walk(path, r =>
    {
        long at = r.Position;
        long count = r.Varint("the number of entries");
        if (expected is not null && count != expected.Count) throw r.Damaged($"it holds {count} entries, the model has {expected.Count}", at);
        if (count > r.Remaining / 3) throw r.Damaged($"it says it holds {count} entries, more than its {r.Remaining} bytes can", at);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            at = r.Position;
            string name = r.Text($"the name of entry {i + 1}", MaxNameBytes);
            if (!seen.Add(name)) throw r.Damaged($"'{Show(name)}' appears twice", at);
            Tensor? target = null;
            if (expected is not null && !expected.TryGetValue(name, out target)) throw r.Damaged($"it holds '{Show(name)}', which the model does not have", at);
            TensorEntry(r, $"'{Show(name)}'", target);
        }
    });

    /// <summary>
    /// Why <paramref name="path"/> is not the state of optimiser <paramref name="kind"/> (adam, sgd, lars) over
    /// <paramref name="parameters"/>, or null. <paramref name="maxStep"/>, when known, bounds Adam's per-parameter
    /// step counts (the checkpoint's optimiser steps).
    /// </summary>
    public static string? Optimizer(string path, string kind, IReadOnlyList<Tensor>? parameters, long? maxStep = null) => Walk(path, r =>
    {
        switch (kind)
        {
            case "adam" or "sgd": TorchOptimizerState(r, kind, parameters, maxStep); break;
            case "lars": LarsState(r, parameters); break;
            default: throw r.Damaged($"the optimizer '{Show(kind)}' is not one of {string.Join(", ", OptimizerFactory.Names)}", 0);
        }
    });

    private static string? Walk(string path, Action<CheckpointFileReader> walk)
    {
        try
        {
            using var reader = new CheckpointFileReader(path);
            walk(reader);
            reader.End();
            return null;
        }
        catch (InvalidDataException e) { return e.Message; }
    }

    private static void TorchOptimizerState(CheckpointFileReader r, string kind, IReadOnlyList<Tensor>? parameters, long? maxStep)
    {
        bool adam = kind == "adam";
        string className = adam ? "Adam" : "SGD";
        long at = r.Position;
        string name = r.Text("the optimizer's name", 256);
        if (name != className) throw r.Damaged($"it holds the state of optimizer '{Show(name)}', but `optimizer` {kind} keeps '{className}' state (resume with the run's own `optimizer`)", at);
        at = r.Position;
        long groups = r.Varint("the number of parameter groups");
        if (groups != 1) throw r.Damaged($"it holds {groups} parameter groups; SelfSup's optimizers have one", at);
        at = r.Position;
        long states = r.Varint("the number of parameter states");
        if (parameters is not null && states != parameters.Count) throw r.Damaged($"it holds the state of {states} parameters, the model has {parameters.Count}", at);
        if (states > r.Remaining) throw r.Damaged($"it says it holds the state of {states} parameters, more than its {r.Remaining} bytes can", at);

        Number(r, "the initial learning rate", 0, double.MaxValue);
        Number(r, "the learning rate", 0, double.MaxValue);
        bool amsgrad = false;
        if (adam)
        {
            Number(r, "beta1", 0, 1, maxExclusive: true);
            Number(r, "beta2", 0, 1, maxExclusive: true);
            Number(r, "eps", 0, double.MaxValue);
            Number(r, "the weight decay", 0, double.MaxValue);
            amsgrad = r.Bool("amsgrad");
            r.Bool("maximize");
        }
        else
        {
            Number(r, "the momentum", 0, double.MaxValue);
            Number(r, "the dampening", 0, 1);
            Number(r, "the weight decay", 0, double.MaxValue);
            r.Bool("nesterov");
            r.Bool("maximize");
        }

        for (long i = 0; i < states; i++)
        {
            var parameter = parameters?[(int)i];
            string of = $"of parameter {i + 1}";
            if (adam)
            {
                at = r.Position;
                long step = r.Int64($"the step count {of}");
                if (step < 0 || step > (maxStep ?? long.MaxValue))
                    throw r.Damaged($"the step count {of} is {step}, outside 0..{maxStep?.ToString(CultureInfo.InvariantCulture) ?? "2^63"} (the checkpoint's steps)", at);
                TensorEntry(r, $"exp_avg {of}", parameter);
                TensorEntry(r, $"exp_avg_sq {of}", parameter);
                at = r.Position;
                if (r.Bool($"the max_exp_avg_sq flag {of}") != amsgrad)
                    throw r.Damaged($"the max_exp_avg_sq flag {of} disagrees with amsgrad ({amsgrad})", at);
                if (amsgrad) TensorEntry(r, $"max_exp_avg_sq {of}", parameter);
            }
            else if (r.Bool($"the momentum-buffer flag {of}"))
            {
                TensorEntry(r, $"the momentum buffer {of}", parameter);
            }
        }
    }

    private static void LarsState(CheckpointFileReader r, IReadOnlyList<Tensor>? parameters)
    {
        long at = r.Position;
        int count = r.Int32("the number of parameters");
        if (parameters is not null && count != parameters.Count) throw r.Damaged($"it holds the state of {count} parameters, the model has {parameters.Count}", at);
        if (count < 0 || count > r.Remaining) throw r.Damaged($"it says it holds the state of {count} parameters, which its {r.Remaining} bytes cannot", at);
        for (int i = 0; i < count; i++)
            if (r.Bool($"the velocity flag of parameter {i + 1}"))
                TensorEntry(r, $"the velocity of parameter {i + 1}", parameters?[i]);
    }

    /// <summary>One saved tensor; with <paramref name="expected"/>, its element type and shape must be that tensor's.</summary>
    private static void TensorEntry(CheckpointFileReader r, string what, Tensor? expected)
    {
        long at = r.Position;
        long type = r.Varint($"the element type of {what}");
        if (expected is not null && type != (long)expected.dtype)
            throw r.Damaged($"{what} has element type {type}, the model's is {(int)expected.dtype} ({expected.dtype})", at);
        long elementSize = ElementSize(type);
        if (elementSize == 0) throw r.Damaged($"{what} has the unknown element type {type}", at);

        at = r.Position;
        long dims = r.Varint($"the number of dimensions of {what}");
        if (expected is not null && dims != expected.dim()) throw r.Damaged($"{what} has {dims} dimensions, the model's has {expected.dim()}", at);
        if (dims > MaxDimensions) throw r.Damaged($"{what} has {dims} dimensions (at most {MaxDimensions} expected)", at);
        var shape = new long[dims];
        for (int d = 0; d < dims; d++) shape[d] = r.Varint($"dimension {d + 1} of {what}");
        if (expected is not null && !shape.AsSpan().SequenceEqual(expected.shape))
            throw r.Damaged($"{what} has shape [{string.Join(", ", shape)}], the model's is [{string.Join(", ", expected.shape)}]", at);

        // the data size, saturating instead of overflowing: a shape cannot promise more bytes than are left
        long bytes = shape.Contains(0) ? 0 : elementSize;
        foreach (long size in shape)
            bytes = bytes > r.Remaining / Math.Max(1, size) ? long.MaxValue : bytes * size;
        if (bytes > r.Remaining)
            throw r.Damaged($"{what} has shape [{string.Join(", ", shape)}], whose data does not fit in the {r.Remaining} bytes left (the file is truncated or the shape is damaged)", at);
        r.Skip(bytes, $"the data of {what}");
    }

    /// <summary>A double that must be finite and within [<paramref name="min"/>, <paramref name="max"/>] (or below max).</summary>
    private static void Number(CheckpointFileReader r, string what, double min, double max, bool maxExclusive = false)
    {
        long at = r.Position;
        double value = r.Double(what);
        if (!double.IsFinite(value) || value < min || value > max || (maxExclusive && value == max))
            throw r.Damaged($"{what} is {value.ToString(CultureInfo.InvariantCulture)}, outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}", at);
    }

    /// <summary>Bytes per element of TorchSharp's <see cref="ScalarType"/> code <paramref name="type"/>; 0 for codes a checkpoint cannot hold.</summary>
    private static long ElementSize(long type) => type switch
    {
        (long)ScalarType.Byte or (long)ScalarType.Int8 or (long)ScalarType.Bool => 1,
        (long)ScalarType.Int16 or (long)ScalarType.Float16 or (long)ScalarType.BFloat16 => 2,
        (long)ScalarType.Int32 or (long)ScalarType.Float32 => 4,
        (long)ScalarType.Int64 or (long)ScalarType.Float64 or (long)ScalarType.ComplexFloat32 => 8,
        (long)ScalarType.ComplexFloat64 => 16,
        _ => 0,
    };

    /// <summary>A name from a file, safe to put in a one-line message: control and line-break characters shown as '?', at most 80 characters.</summary>
    private static string Show(string name)
    {
        var chars = name.Take(80).Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator ? '?' : c);
        return new string(chars.ToArray()) + (name.Length > 80 ? "…" : "");
    }
}
