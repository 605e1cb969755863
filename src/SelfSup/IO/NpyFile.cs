using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.IO;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0) holding
/// little-endian float32 (<c>'&lt;f4'</c>) or float64 (<c>'&lt;f8'</c>) arrays in C order.
/// Used for reference inputs and gradients, embeddings and spectra exchanged with Python.
/// </summary>
/// <remarks>
/// Layout: the magic <c>\x93NUMPY</c>, a major and minor version byte, the header length
/// (2 bytes little-endian in v1, 4 bytes in v2/v3), an ASCII (v1/v2) or UTF-8 (v3) Python dict
/// literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (N, M, d), }</c> padded with
/// spaces and a final newline so the data starts on a 64-byte boundary, then the raw data.
/// </remarks>
public static class NpyFile
{
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Reads a float32 or float64 C-order <c>.npy</c> file into a CPU tensor of that dtype and shape.</summary>
    /// <exception cref="SelfSupError">The file is missing, is not a .npy file, or holds data this reader does not support.</exception>
    public static Tensor Read(string path)
    {
        if (!File.Exists(path))
            throw new SelfSupError($"npy file '{path}' does not exist; check the path (it must point to a .npy file written by numpy.save or SelfSup).");

        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"npy file '{path}' could not be read ({e.Message}); check that it is readable.", e);
        }

        if (bytes.Length < 10 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new SelfSupError($"'{path}' is not a .npy file (it does not start with the \\x93NUMPY magic); pass a file written by numpy.save.");

        int major = bytes[6];
        int headerLen, headerStart;
        switch (major)
        {
            case 1:
                headerLen = BitConverter.ToUInt16(bytes, 8); // .npy is little-endian by definition
                headerStart = 10;
                break;
            case 2:
            case 3:
                if (bytes.Length < 12)
                    throw new SelfSupError($"npy file '{path}' is truncated inside its preamble; re-create the file.");
                long len = BitConverter.ToUInt32(bytes, 8);
                if (len > int.MaxValue)
                    throw new SelfSupError($"npy file '{path}' declares a header of {len} bytes, which is not plausible; re-create the file.");
                headerLen = (int)len;
                headerStart = 12;
                break;
            default:
                throw new SelfSupError($"npy file '{path}' has format version {major}.{bytes[7]}, but only versions 1, 2 and 3 are supported; re-save it with numpy.save.");
        }
        if (!BitConverter.IsLittleEndian)
            throw new SelfSupError($"cannot read '{path}': this reader needs a little-endian machine.");

        if ((long)headerStart + headerLen > bytes.Length)
            throw new SelfSupError($"npy file '{path}' is truncated: its header says {headerLen} bytes but the file has only {bytes.Length - headerStart} after the preamble; re-create the file.");

        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, headerStart, headerLen);
        var (dtype, elementSize, shape) = ParseHeader(path, header);

        long dataStart = headerStart + headerLen;
        long available = bytes.Length - dataStart;
        // multiply the shape out against what the file holds, so a huge dimension cannot overflow
        long count = 1;
        foreach (var s in shape)
        {
            if (s != 0 && count > available / elementSize / s)
                throw new SelfSupError($"npy file '{path}' is truncated or its header is damaged: shape ({string.Join(", ", shape)}) needs more data than the {available} bytes present; re-create or re-download the file.");
            count *= s;
        }
        long expected = count * elementSize;
        if (available != expected)
            throw new SelfSupError(available < expected
                ? $"npy file '{path}' is truncated: shape ({string.Join(", ", shape)}) needs {expected} data bytes but only {available} are present; re-create or re-download the file."
                : $"npy file '{path}' has {available - expected} bytes after the {expected} data bytes its shape ({string.Join(", ", shape)}) needs; the header or the file is damaged — re-create or re-download the file.");

        var data = bytes.AsSpan((int)dataStart, (int)expected);
        if (dtype == ScalarType.Float32)
        {
            var values = MemoryMarshal.Cast<byte, float>(data).ToArray();
            return torch.tensor(values, shape, ScalarType.Float32);
        }
        else
        {
            var values = MemoryMarshal.Cast<byte, double>(data).ToArray();
            return torch.tensor(values, shape, ScalarType.Float64);
        }
    }

    /// <summary>Writes a float32 or float64 tensor as a version 1.0 (or 2.0 if the header needs it) C-order <c>.npy</c> file.</summary>
    /// <exception cref="SelfSupError">The tensor has another dtype, or the file cannot be written.</exception>
    public static void Write(string path, Tensor t)
    {
        string descr = t.dtype switch
        {
            ScalarType.Float32 => "<f4",
            ScalarType.Float64 => "<f8",
            _ => throw new SelfSupError($"cannot write '{path}': tensor dtype {t.dtype} is not supported; convert it with .to(float32) or .to(float64) first."),
        };
        if (!BitConverter.IsLittleEndian)
            throw new SelfSupError($"cannot write '{path}': this writer needs a little-endian machine.");

        var shape = t.shape;
        string shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";

        // Pad with spaces and a final newline so that preamble + header is a multiple of 64 bytes.
        int major = 1;
        int preamble = 10;
        int total = Pad64(preamble + dict.Length + 1);
        if (total - preamble > ushort.MaxValue)
        {
            major = 2;
            preamble = 12;
            total = Pad64(preamble + dict.Length + 1);
        }
        string header = dict.PadRight(total - preamble - 1) + "\n";

        byte[] payload;
        using (var c = t.detach().cpu().contiguous())
        {
            payload = t.dtype == ScalarType.Float32
                ? MemoryMarshal.AsBytes(c.data<float>().ToArray().AsSpan()).ToArray()
                : MemoryMarshal.AsBytes(c.data<double>().ToArray().AsSpan()).ToArray();
        }

        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
            using var w = new BinaryWriter(fs);
            w.Write(Magic);
            w.Write((byte)major);
            w.Write((byte)0);
            if (major == 1) w.Write((ushort)header.Length);
            else w.Write((uint)header.Length);
            w.Write(Encoding.ASCII.GetBytes(header));
            w.Write(payload);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"cannot write npy file '{path}' ({e.Message}); check that the folder exists and is writable.", e);
        }
    }

    private static int Pad64(int n) => (n + 63) / 64 * 64;

    /// <summary>Header text fit for a one-line message: control characters as '?', at most 120 characters.</summary>
    private static string Printable(string header)
    {
        var text = new string(header.Trim().Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length <= 120 ? text : text[..120] + "…";
    }

    private static (ScalarType dtype, int elementSize, long[] shape) ParseHeader(string path, string header)
    {
        var descrMatch = Regex.Match(header, @"['""]descr['""]\s*:\s*['""]([^'""]*)['""]");
        var fortranMatch = Regex.Match(header, @"['""]fortran_order['""]\s*:\s*(True|False)");
        var shapeMatch = Regex.Match(header, @"['""]shape['""]\s*:\s*\(([^)]*)\)");
        if (!descrMatch.Success || !fortranMatch.Success || !shapeMatch.Success)
            throw new SelfSupError($"npy file '{path}' has a malformed header ({Printable(header)}); re-save it with numpy.save.");

        if (fortranMatch.Groups[1].Value == "True")
            throw new SelfSupError($"npy file '{path}' is stored in Fortran (column-major) order, which is not supported; save it from numpy with np.save(path, np.ascontiguousarray(a)).");

        string descr = descrMatch.Groups[1].Value;
        (ScalarType dtype, int size) = descr switch
        {
            "<f4" => (ScalarType.Float32, 4),
            "<f8" => (ScalarType.Float64, 8),
            _ => throw new SelfSupError($"npy file '{path}' has dtype '{Printable(descr)}', but only little-endian float32 ('<f4') and float64 ('<f8') are supported; convert it in numpy with a.astype('<f4') or a.astype('<f8')."),
        };

        var dims = new List<long>();
        foreach (var part in shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
                throw new SelfSupError($"npy file '{path}' has an unreadable shape '({Printable(shapeMatch.Groups[1].Value)})'; re-save it with numpy.save.");
            dims.Add(dim);
        }
        return (dtype, size, dims.ToArray());
    }
}
