using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// The uniform random numbers of a batch of views: row r holds <c>perView</c> numbers
/// <c>u[r, j] = ToUnit(SplitMix64.At(key_r, j)) ∈ [0, 1)</c> for the view with key <c>key_r</c>
/// (<see cref="ViewKeys"/>). Each op owns a fixed block of columns (its <see cref="ViewOp.Draws"/>, in the order of
/// <see cref="ViewPipeline"/>), whether or not it is enabled, so a view's parameters never shift with the preset.
/// </summary>
public static class ViewDraws
{
    /// <summary>B×<paramref name="perView"/> float64 uniforms for the views with the given keys.</summary>
    public static Tensor For(ReadOnlySpan<ulong> keys, int perView)
    {
        var u = new double[keys.Length * perView];
        for (int r = 0; r < keys.Length; r++)
            for (int j = 0; j < perView; j++)
                u[r * perView + j] = SplitMix64.ToUnit(SplitMix64.At(keys[r], (ulong)j));
        // copied into tensor-owned memory (not a tensor over the pinned managed array): the table is made on the prefetch thread
        var table = empty([keys.Length, perView], ScalarType.Float64);
        table.data<double>().CopyFrom(u);
        return table;
    }
}
