using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Tensors of one dtype and device moved into one contiguous 1-D buffer: afterwards each tensor is a view of
/// <see cref="Data"/> (its <c>set_</c> points it there, so every module holding it sees the same values), and an
/// operation on all of them is one kernel on <see cref="Data"/> instead of one per tensor.
/// </summary>
public sealed class FlatStorage : IDisposable
{
    private readonly List<(long Offset, long Count)> segments = [];

    /// <summary>Copies <paramref name="tensors"/> (one dtype, one device) into one buffer and makes each a view of it.</summary>
    /// <exception cref="ArgumentException">The tensors differ in dtype or device.</exception>
    public FlatStorage(IReadOnlyList<Tensor> tensors)
    {
        Tensors = tensors;
        var first = tensors.Count > 0 ? tensors[0] : throw new ArgumentException("nothing to flatten", nameof(tensors));
        if (tensors.Any(t => t.dtype != first.dtype || t.device_type != first.device_type || t.device_index != first.device_index))
            throw new ArgumentException($"tensors to flatten must share one dtype and device; got {string.Join(", ", tensors.Select(t => $"{t.dtype}@{t.device}").Distinct())}", nameof(tensors));
        long total = 0;
        foreach (var t in tensors) { segments.Add((total, t.numel())); total += t.numel(); }
        Data = torch.empty(total, first.dtype, first.device);
        using var _ = torch.no_grad();
        for (int i = 0; i < tensors.Count; i++)
        {
            using var view = Segment(Data, i);
            view.copy_(tensors[i]);
            tensors[i].set_(view);
        }
    }

    /// <summary>The flattened tensors, in order; each now a view of <see cref="Data"/>.</summary>
    public IReadOnlyList<Tensor> Tensors { get; }

    /// <summary>All values, tensor after tensor.</summary>
    public Tensor Data { get; }

    /// <summary>Where tensor <c>i</c> lies in <see cref="Data"/>.</summary>
    public IReadOnlyList<(long Offset, long Count)> Segments => segments;

    /// <summary>Tensor <paramref name="i"/>'s part of a flat buffer laid out like <see cref="Data"/>, shaped like the tensor.</summary>
    public Tensor Segment(Tensor flat, int i) => flat.narrow(0, segments[i].Offset, segments[i].Count).view(Tensors[i].shape);

    public void Dispose() => Data.Dispose();
}
