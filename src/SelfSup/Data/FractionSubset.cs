namespace SelfSup.Data;

/// <summary>
/// A seeded random subset of a dataset's indices: the paper's "training on a fraction of the data"
/// (e.g. M = 4 views on 50% of the images). The same (count, fraction, seed) always gives the same indices.
/// </summary>
public static class FractionSubset
{
    /// <summary>
    /// Chooses round(fraction·count) indices uniformly without replacement (Fisher–Yates with
    /// <see cref="Random"/>(seed)), returned sorted. fraction = 1 returns every index.
    /// </summary>
    public static int[] Choose(int count, double fraction, int seed)
    {
        Validate(fraction);
        int keep = Math.Max(1, (int)Math.Round(fraction * count));
        var all = Enumerable.Range(0, count).ToArray();
        if (keep >= count) return all;
        var rng = new Random(seed);
        for (int i = 0; i < keep; i++)
        {
            int j = i + rng.Next(count - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        var chosen = all.AsSpan(0, keep).ToArray();
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>Throws a <see cref="SelfSupError"/> unless 0 &lt; fraction ≤ 1.</summary>
    public static void Validate(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new SelfSupError($"--fraction {fraction} is out of range; it must be in (0, 1], e.g. 0.5 for half of the training images");
    }
}
