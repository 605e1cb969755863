using System.Text;
using static TorchSharp.torch;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Where each field of a TorchSharp binary file lies, worked out from what was saved — names, element types and
/// shapes — the way the writer lays it out: LEB128 integers (counts, element types, shapes), .NET length-prefixed
/// strings, fixed-width numbers, raw tensor data. The fuzz tests use it to aim mutations at size fields, to splice
/// in hostile LEB128 values, and to tell header bytes from tensor data; <see cref="Length"/> equal to a real file's
/// length confirms the layout against files written by this build.
/// </summary>
public sealed class TorchSharpLayout
{
    private readonly List<FuzzField> _fields = [];
    private readonly List<(string Name, int Start, int Length)> _varints = [];
    private readonly List<(int Start, int Length)> _data = [];
    private readonly List<(int Start, int Length)> _options = [];

    /// <summary>Header fields for the <see cref="Mutator"/>: a LEB128 integer as its first byte, numbers and flags at full width.</summary>
    public IReadOnlyList<FuzzField> Fields => _fields;
    /// <summary>Each LEB128 integer and string length: name, first byte, bytes.</summary>
    public IReadOnlyList<(string Name, int Start, int Length)> Varints => _varints;
    /// <summary>Tensor data and numeric values of the saved state (Adam's step counts): bytes no structure check can verify.</summary>
    public IReadOnlyList<(int Start, int Length)> Data => _data;
    /// <summary>An optimiser's hyperparameters (learning rates, betas, eps, weight decay, momentum, flags).</summary>
    public IReadOnlyList<(int Start, int Length)> Options => _options;
    public int Length { get; private set; }

    /// <summary><c>Module.save</c>: entry count, then name and tensor per entry.</summary>
    public static TorchSharpLayout Model(IReadOnlyList<(string Name, Tensor Tensor)> stateDict)
    {
        var layout = new TorchSharpLayout();
        layout.Varint("entry count", stateDict.Count);
        foreach (var (name, tensor) in stateDict)
        {
            layout.Text($"name of {name}", name);
            layout.Tensor(name, tensor);
        }
        return layout;
    }

    /// <summary>An optimiser's saved state after at least one step (every parameter has its buffers).</summary>
    public static TorchSharpLayout Optimizer(string kind, IReadOnlyList<Tensor> parameters)
    {
        var layout = new TorchSharpLayout();
        if (kind == "lars")
        {
            layout.Fixed("parameter count", 4);
            for (int i = 0; i < parameters.Count; i++)
            {
                layout.Fixed($"velocity flag {i}", 1);
                layout.Tensor($"velocity {i}", parameters[i]);
            }
            return layout;
        }
        layout.Text("optimizer name", kind == "adam" ? "Adam" : "SGD");
        layout.Varint("group count", 1);
        layout.Varint("state count", parameters.Count);
        int optionsAt = layout.Length;
        foreach (var option in kind == "adam"
            ? new[] { "initial lr", "lr", "beta1", "beta2", "eps", "weight decay" }
            : ["initial lr", "lr", "momentum", "dampening", "weight decay"])
            layout.Fixed(option, 8);
        layout.Fixed(kind == "adam" ? "amsgrad" : "nesterov", 1);
        layout.Fixed("maximize", 1);
        layout._options.Add((optionsAt, layout.Length - optionsAt));
        for (int i = 0; i < parameters.Count; i++)
        {
            if (kind == "adam")
            {
                layout._data.Add((layout.Length, 8));
                layout.Fixed($"step {i}", 8);
                layout.Tensor($"exp_avg {i}", parameters[i]);
                layout.Tensor($"exp_avg_sq {i}", parameters[i]);
                layout.Fixed($"max_exp_avg_sq flag {i}", 1);
            }
            else
            {
                layout.Fixed($"momentum flag {i}", 1);
                layout.Tensor($"momentum buffer {i}", parameters[i]);
            }
        }
        return layout;
    }

    /// <summary>Whether every byte where <paramref name="a"/> and <paramref name="b"/> differ lies in <see cref="Data"/>.</summary>
    public bool DiffersOnlyInData(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i] && !_data.Any(d => i >= d.Start && i < d.Start + d.Length)) return false;
        return true;
    }

    /// <summary>The LEB128 encoding TorchSharp writes.</summary>
    public static byte[] Leb128(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
        return [.. bytes];
    }

    private void Tensor(string name, Tensor tensor)
    {
        Varint($"element type of {name}", (long)tensor.dtype);
        Varint($"dimensions of {name}", tensor.dim());
        for (int d = 0; d < tensor.dim(); d++) Varint($"dimension {d} of {name}", tensor.shape[d]);
        int bytes = checked((int)(tensor.numel() * tensor.element_size()));
        _data.Add((Length, bytes));
        Length += bytes;
    }

    private void Varint(string name, long value)
    {
        int length = Leb128((ulong)value).Length;
        _fields.Add(new FuzzField(name, Length, 1));
        _varints.Add((name, Length, length));
        Length += length;
    }

    private void Text(string name, string text)
    {
        int bytes = Encoding.UTF8.GetByteCount(text);
        Varint($"length of {name}", bytes);
        Length += bytes;
    }

    private void Fixed(string name, int width)
    {
        _fields.Add(new FuzzField(name, Length, width));
        Length += width;
    }
}
