using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Watches for representational collapse: each step it measures the spread
/// <c>s = √d · (1/d) Σ_k std_k(ẑ)</c>, where ẑ are the L2-normalised embeddings of all N·M views and std_k the
/// (unbiased) std of dimension k over them. Unit vectors spread evenly over d dimensions give s ≈ 1; embeddings
/// that all point the same way give s = 0. Collapse is s below the threshold for K consecutive steps.
/// </summary>
public sealed class CollapseMonitor(double threshold, int steps)
{
    private int below;

    /// <summary>True once the spread stayed below the threshold for the required number of steps.</summary>
    public bool Collapsed => threshold > 0 && below >= steps;

    /// <summary>Records one step's embeddings (N×M×d) and returns their spread s.</summary>
    public double Observe(Tensor z)
    {
        using var spread = Spread(z);
        return Record(spread.ToDouble());
    }

    /// <summary>The spread s of embeddings (N×M×d) as a one-element tensor on their device (read it with the step's other numbers).</summary>
    public static Tensor Spread(Tensor z)
    {
        using var scope = NewDisposeScope();
        long d = z.shape[^1];
        var flat = z.detach().reshape(-1, d);
        var unit = Losses.EmbeddingMath.L2Normalise(flat);
        return unit.std(0L, unbiased: true).mean().mul_(Math.Sqrt(d)).MoveToOuterDisposeScope();
    }

    /// <summary>Records one step's spread (from <see cref="Spread"/>) and returns it.</summary>
    public double Record(double spread)
    {
        below = double.IsFinite(spread) && spread < threshold ? below + 1 : 0;
        return spread;
    }
}
