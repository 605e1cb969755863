namespace SelfSup.Data;

/// <summary>
/// A seeded random subset of a dataset's indices: the paper's "training on a fraction of the data"
/// (e.g. M = 4 views on 50% of the images). The same (count, fraction, seed) always gives the same indices.
/// </summary>
public static class FractionSubset
{
    /// <summary>
    /// Chooses round(fraction·count) indices (at least one) uniformly without replacement by the
    /// <see cref="SeededSample"/> rule with the run seed, returned sorted. fraction = 1 returns every index.
    /// </summary>
    public static int[] Choose(int count, double fraction, int seed)
    {
        Validate(fraction);
        return SeededSample.Choose(count, Math.Max(1, (int)Math.Round(fraction * count)), seed);
    }

    /// <summary>
    /// Stratified version of <see cref="Choose(int, double, int)"/>: keeps round(fraction·n_c) images of every
    /// class c (at least one), so the class proportions of the subset match the dataset's. Unlabelled images
    /// (label −1) form one group of their own. Seeded and sorted like <see cref="Choose(int, double, int)"/>.
    /// </summary>
    public static int[] ChooseStratified(IReadOnlyList<int> labels, double fraction, int seed)
    {
        Validate(fraction);
        if (fraction >= 1) return Enumerable.Range(0, labels.Count).ToArray();
        var chosen = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            var picked = Choose(members.Length, fraction, unchecked(seed * 1_000_003 + group.Key + 1));  // a fixed per-class seed (HashCode is randomised per process)
            chosen.AddRange(picked.Select(i => members[i]));
        }
        chosen.Sort();
        return chosen.ToArray();
    }

    /// <summary><see cref="ChooseStratified"/> when <paramref name="stratified"/>, else <see cref="Choose(int, double, int)"/>.</summary>
    public static int[] Choose(IReadOnlyList<int> labels, double fraction, int seed, bool stratified) =>
        stratified ? ChooseStratified(labels, fraction, seed) : Choose(labels.Count, fraction, seed);

    /// <summary>Throws a <see cref="SelfSupError"/> unless 0 &lt; fraction ≤ 1.</summary>
    public static void Validate(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new SelfSupError($"`fraction` {fraction} is out of range; it must be in (0, 1], e.g. 0.5 for half of the training images");
    }
}
