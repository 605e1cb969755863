using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// A model's parameters in one contiguous buffer and their gradients in another: every parameter is a view of
/// <see cref="Data"/> and every <c>.grad</c> a view of <see cref="Grad"/>. libtorch accumulates a backward pass into an
/// existing gradient in place, so the views stay put, and zeroing the gradients, the optimiser step, the finiteness
/// check and the data-parallel all-reduce are each one or a few kernels over all parameters, not a few per parameter
/// (on a GPU each kernel launch costs host time while the device waits).
/// Flatten after the model has its final device and dtype: a module's <c>to()</c> afterwards would move the
/// parameters out of the buffer.
/// </summary>
public sealed class FlatParameters : IDisposable
{
    private readonly FlatStorage storage;

    /// <summary>Flattens <paramref name="parameters"/> (one dtype and device) and gives each a zero gradient view.</summary>
    public FlatParameters(IReadOnlyList<Parameter> parameters)
    {
        Parameters = parameters;
        storage = new FlatStorage(parameters.Cast<Tensor>().ToList());
        Grad = torch.zeros_like(storage.Data);
        for (int i = 0; i < parameters.Count; i++)
        {
            using var view = storage.Segment(Grad, i);
            parameters[i].grad = view;
        }
    }

    /// <summary>The parameters, in the order of <see cref="Data"/>.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>All parameter values, parameter after parameter.</summary>
    public Tensor Data => storage.Data;

    /// <summary>All gradients, laid out like <see cref="Data"/>.</summary>
    public Tensor Grad { get; }

    /// <summary>Where parameter <c>i</c> lies in <see cref="Data"/>.</summary>
    public IReadOnlyList<(long Offset, long Count)> Segments => storage.Segments;

    /// <summary>Parameter <paramref name="i"/>'s part of a buffer laid out like <see cref="Data"/> (a moment, a velocity), shaped like it.</summary>
    public Tensor Segment(Tensor flat, int i) => storage.Segment(flat, i);

    /// <summary>Sets every gradient to zero (one kernel).</summary>
    public void ZeroGrad() => Grad.zero_();

    public void Dispose()
    {
        Grad.Dispose();
        storage.Dispose();
    }
}
