using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// The uniform random numbers of a batch of views: row r holds <see cref="PerView"/> numbers
/// <c>u[r, j] = ToUnit(SplitMix64.At(key_r, j)) ∈ [0, 1)</c> for the view with key <c>key_r</c>
/// (<see cref="ViewKeys"/>). Each op owns a fixed block of columns (its <c>Draws</c> count, in the order
/// the ops run), whether or not it is enabled, so a view's parameters never shift with the preset.
/// </summary>
public static class ViewDraws
{
    /// <summary>Columns of each op, in pipeline order.</summary>
    public static readonly int CropColumn = 0,
        FlipColumn = CropColumn + RandomResizedCrop.Draws,
        JitterColumn = FlipColumn + HorizontalFlip.Draws,
        GrayscaleColumn = JitterColumn + ColorJitter.Draws,
        BlurColumn = GrayscaleColumn + RandomGrayscale.Draws,
        SolarizeColumn = BlurColumn + GaussianBlur.Draws,
        PerView = SolarizeColumn + Solarize.Draws;

    /// <summary>B×<see cref="PerView"/> float64 uniforms for the views with the given keys.</summary>
    public static Tensor For(ReadOnlySpan<ulong> keys)
    {
        var u = new double[keys.Length * PerView];
        for (int r = 0; r < keys.Length; r++)
            for (int j = 0; j < PerView; j++)
                u[r * PerView + j] = SplitMix64.ToUnit(SplitMix64.At(keys[r], (ulong)j));
        // copied into tensor-owned memory (not a tensor over the pinned managed array): the table is made on the prefetch thread
        var table = empty([keys.Length, PerView], ScalarType.Float64);
        table.data<double>().CopyFrom(u);
        return table;
    }

    /// <summary>Columns [<paramref name="first"/>, first + count) of a draws table.</summary>
    public static Tensor Columns(Tensor u, int first, int count) => u.narrow(1, first, count);
}
