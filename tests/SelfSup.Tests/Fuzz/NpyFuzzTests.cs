using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using SelfSup.IO;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile <c>.npy</c> files: damaged magic, version and header length, shapes made huge, negative or zero in the
/// header text, truncated or extended data. Each must give the array its header and data describe or a
/// one-line error naming the file.
/// </summary>
public sealed class NpyFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000;

    private static readonly FuzzField[] Fields = [new("major version", 6, 1), new("minor version", 7, 1), new("header length", 8, 2), new("header length (v2)", 8, 4)];

    [Fact]
    public void MutatedNpyFilesAreReadCorrectlyOrRejectedClearly()
    {
        using var dir = new FuzzDir();
        var originals = new[] { (torch.arange(12, ScalarType.Float32).reshape(3, 4), "f32.npy"), (torch.arange(12, ScalarType.Float64).reshape(2, 3, 2) / 7, "f64.npy") }
            .Select(o => { NpyFile.Write(dir.File(o.Item2), o.Item1); return File.ReadAllBytes(dir.File(o.Item2)); }).ToArray();
        var mutator = new Mutator(61, Fields, text: true);
        var run = new FuzzRun("npy", output);
        var crafted = Crafted();
        for (int i = 0; i < crafted.Count + Cases; i++)
        {
            var mutation = i < crafted.Count ? crafted[i] : mutator.Mutate(originals[mutator.Random.Next(originals.Length)]);
            string path = dir.File($"case{i}.npy");
            File.WriteAllBytes(path, mutation.Bytes);
            run.Case(mutation, path, () =>
            {
                using var t = NpyFile.Read(path);
                return Check(t, mutation.Bytes);
            });
            File.Delete(path);
        }
        run.Finish();
    }

    /// <summary>Files written by hand: shapes whose product overflows, a v2 header length of 4 GB, a header with a line break.</summary>
    private static List<Mutation> Crafted()
    {
        Mutation Npy(string what, string dict, int major = 1, uint? headerLength = null, int dataBytes = 48)
        {
            var header = Encoding.Latin1.GetBytes(dict.PadRight(118) + "\n");
            var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 };
            if (major == 1) bytes.AddRange(BitConverter.GetBytes((ushort)(headerLength ?? (uint)header.Length)));
            else bytes.AddRange(BitConverter.GetBytes(headerLength ?? (uint)header.Length));
            bytes.AddRange(header);
            bytes.AddRange(new byte[dataBytes]);
            return new Mutation([.. bytes], "crafted", what);
        }
        return
        [
            Npy("shape (2^62, 4): count overflows", "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"),
            Npy("shape (3037000500, 3037000500, 3)", "{'descr': '<f4', 'fortran_order': False, 'shape': (3037000500, 3037000500, 3), }"),
            Npy("shape (0, 12) with 48 data bytes", "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 12), }"),
            Npy("v2 header length 2^32−1", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 2, headerLength: uint.MaxValue),
            Npy("v2 header length 2^31", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", major: 2, headerLength: 1u << 31),
            Npy("line break inside the header", "{'descr': '<f4',\n 'fortran_order': False, 'shape': (3,\n 4), }"),
            Npy("no shape, line break", "{'descr': '<f4',\n 'fortran_order': False }"),
        ];
    }

    /// <summary>What is wrong with an accepted array, judged from the file's header text and data; null when right.</summary>
    private static string? Check(Tensor t, byte[] file)
    {
        int major = file[6];
        int headerStart = major == 1 ? 10 : 12;
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));
        string header = Encoding.Latin1.GetString(file, headerStart, (int)headerLength);
        var shape = Regex.Match(header, @"'shape':\s*\(([^)]*)\)");
        if (!shape.Success) return "accepted a header without a shape";
        var parts = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var dims = parts.Select(p => long.TryParse(p, out long d) ? d : -1).ToArray();
        if (dims.Any(d => d < 0)) return $"accepted the unreadable shape ({shape.Groups[1].Value})";
        if (!t.shape.SequenceEqual(dims)) return $"shape [{string.Join(",", t.shape)}] but the header says ({shape.Groups[1].Value})";
        int size = header.Contains("'<f4'") ? 4 : header.Contains("'<f8'") ? 8 : 0;
        if (size == 0 || (size == 4) != (t.dtype == ScalarType.Float32)) return $"dtype {t.dtype} does not match the header {header.Trim()}";
        long dataStart = headerStart + headerLength;
        if (file.Length - dataStart != t.numel() * size) return $"{t.numel()} elements of {size} bytes but {file.Length - dataStart} data bytes";
        var values = t.dtype == ScalarType.Float32 ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.data<float>().ToArray().AsSpan()).ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.data<double>().ToArray().AsSpan()).ToArray();
        return values.AsSpan().SequenceEqual(file.AsSpan((int)dataStart)) ? null : "values differ from the file's data";
    }
}
