using System.Collections;
using SelfSup.IO;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SelfSup.Interop;

/// <summary>
/// Reads and writes a flat state dict (name → tensor) in the two formats PyTorch users exchange weights in,
/// through TorchSharp.PyBridge:
/// <list type="bullet">
/// <item><term><c>pt</c></term><description>PyTorch's own zip-of-pickle format, what <c>torch.save(model.state_dict(), f)</c>
/// writes and <c>torch.load(f)</c> reads (PyBridge's <c>PyTorchPickler</c>/<c>PyTorchUnpickler</c>);</description></item>
/// <item><term><c>safetensors</c></term><description>Hugging Face's format: an 8-byte little-endian header length, a JSON
/// header mapping each name to its <c>dtype</c> (<c>F32</c>, <c>I64</c>, …), <c>shape</c> and <c>data_offsets</c>
/// (start and end byte in the data that follows), then the raw little-endian data (PyBridge's <c>Safetensors</c>).</description></item>
/// </list>
/// Files are written to a temporary name and moved into place, so an interrupted export leaves no partial file.
/// </summary>
public static class WeightsFile
{
    public static readonly string[] Formats = ["pt", "safetensors"];

    /// <summary>
    /// <paramref name="format"/> when given (checked), else the format <paramref name="path"/>'s extension names:
    /// <c>.safetensors</c> → safetensors, <c>.pt</c>/<c>.pth</c>/<c>.bin</c> → pt.
    /// </summary>
    public static string FormatOf(string path, string? format)
    {
        if (format is not null)
            return Formats.Contains(format) ? format : throw new SelfSupError($"unknown `format` '{format}'; use one of: {string.Join(", ", Formats)}");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".safetensors" => "safetensors",
            ".pt" or ".pth" or ".bin" => "pt",
            var other => throw new SelfSupError($"cannot tell the format of '{path}' from its extension '{other}'; name it .pt or .safetensors (export also writes .onnx), or pass `format`"),
        };
    }

    /// <summary>Writes <paramref name="tensors"/> (CPU, contiguous copies are made) to <paramref name="path"/> in <paramref name="format"/>.</summary>
    public static void Write(string path, string format, IReadOnlyDictionary<string, Tensor> tensors)
    {
        string full = Path.GetFullPath(path);
        string tmp = full + ".tmp";
        var copies = tensors.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (format == "safetensors") Safetensors.SaveStateDict(tmp, copies);
            else PyTorchPickler.PickleStateDict(tmp, copies);
            DurableFile.MoveIntoPlace(tmp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"cannot write '{path}' ({e.Message}); check that its folder is writable or choose another `out`");
        }
        finally
        {
            foreach (var t in copies.Values) t.Dispose();
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>The state dict in <paramref name="path"/> (<paramref name="format"/>), as CPU tensors.</summary>
    /// <exception cref="SelfSupError">The file is missing, not of that format, or holds something other than name → tensor.</exception>
    public static Dictionary<string, Tensor> Read(string path, string format)
    {
        if (!File.Exists(path)) throw new SelfSupError($"weights file '{path}' does not exist; check the path");
        string expected = format == "safetensors"
            ? "a safetensors file (8-byte header length, JSON header, data)"
            : "a PyTorch state dict saved with torch.save(model.state_dict(), FILE)";
        try
        {
            if (format == "safetensors")
            {
                if (SafetensorsHeaderCheck.Problem(path) is { } problem)
                    throw new SelfSupError($"cannot read '{path}' as {expected}: {problem}; re-export or re-download the file");
                return Safetensors.LoadStateDict(path);
            }
            var table = PyTorchUnpickler.UnpickleStateDict(path);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is not string name || entry.Value is not Tensor tensor)
                    throw new SelfSupError($"'{path}' holds the entry '{entry.Key}' of type {entry.Value?.GetType().Name ?? "null"}, not a tensor; save model.state_dict() itself (not a training checkpoint dict), e.g. torch.save(ckpt['state_dict'], FILE)");
                result[name] = tensor;
            }
            return result;
        }
        catch (Exception e) when (e is not SelfSupError)
        {
            throw new SelfSupError($"cannot read '{path}' as {expected} ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}); pass `format` if the extension is misleading, or re-save the file");
        }
    }
}
