using System.Buffers.Binary;
using System.Text.Json;

namespace SelfSup.Interop;

/// <summary>
/// Checks a <c>.safetensors</c> file's header before its tensors are allocated and read, so a damaged or hostile header
/// (a shape promising terabytes, offsets past the end of the file) is reported instead of reaching a reader that trusts
/// it. The format: an unsigned 64-bit little-endian header length N, N bytes of JSON mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (plus an optional <c>__metadata__</c> object of strings), then
/// the data; offsets are relative to the end of the header, and each tensor's byte range must be exactly its element
/// count times its element size and lie within the data.
/// </summary>
public static class SafetensorsHeaderCheck
{
    /// <summary>Largest header accepted (the format's own reference implementation allows 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Why <paramref name="path"/> is not a sound safetensors file, or null.</summary>
    public static string? Problem(string path)
    {
        using var stream = File.OpenRead(path);
        long length = stream.Length;
        if (length < 8) return $"it has {length} bytes, fewer than the 8 of the header length";
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
            return $"its header length field says {headerLength} bytes, but the file has {length - 8} after it (truncated, or not a safetensors file)";
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = length - 8 - (long)headerLength;
        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return "its header is not a JSON object";
            foreach (var entry in document.RootElement.EnumerateObject())
                if (entry.Name != "__metadata__" && EntryProblem(entry.Value, dataLength) is { } problem)
                    return $"tensor '{Show(entry.Name)}': {problem}";
        }
        catch (JsonException e) { return $"its header is not valid JSON ({e.Message})"; }
        catch (InvalidOperationException) { return "its header has a field of the wrong JSON type"; }
        catch (FormatException) { return "its header has a number that is not an integer"; }
        return null;
    }

    private static string? EntryProblem(JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object) return "its entry is not a JSON object";
        if (!entry.TryGetProperty("dtype", out var dtype) || !entry.TryGetProperty("shape", out var shape) || !entry.TryGetProperty("data_offsets", out var offsets))
            return "its entry lacks dtype, shape or data_offsets";
        long size = dtype.GetString() switch
        {
            "F64" or "I64" or "U64" => 8,
            "F32" or "I32" or "U32" => 4,
            "F16" or "BF16" or "I16" or "U16" => 2,
            "I8" or "U8" or "BOOL" => 1,
            var other => -1,
        };
        if (size < 0) return $"its dtype '{Show(dtype.ToString())}' is not one safetensors defines";
        long bytes = size;
        foreach (var dim in shape.EnumerateArray())
        {
            long d = dim.GetInt64();
            if (d < 0) return $"its shape has the negative size {d}";
            bytes = d == 0 ? 0 : bytes > dataLength / d ? long.MaxValue : bytes * d;
        }
        var range = offsets.EnumerateArray().Select(o => o.GetInt64()).ToArray();
        if (range.Length != 2 || range[0] < 0 || range[1] < range[0] || range[1] > dataLength)
            return $"its data_offsets [{string.Join(", ", range)}] do not lie within the {dataLength} data bytes";
        if (range[1] - range[0] != bytes)
            return $"its data_offsets span {range[1] - range[0]} bytes but its shape [{string.Join(", ", shape.EnumerateArray())}] of {dtype} needs {(bytes == long.MaxValue ? "more than the file holds" : bytes.ToString())}";
        return null;
    }

    private static string Show(string text) =>
        new string(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray()) + (text.Length > 80 ? "…" : "");
}
