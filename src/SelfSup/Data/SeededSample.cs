namespace SelfSup.Data;

/// <summary>
/// The one rule for "pick N of a split's images, seeded": a uniform sample without replacement by the first
/// N steps of a Fisher–Yates shuffle driven by <see cref="Random"/>(seed),
///   for i = 0 … N−1:  j = i + rng.Next(total − i);  swap(a_i, a_j),
/// then a_0 … a_{N−1} sorted. The same (total, count, seed) gives the same indices in every process and
/// every code path; sorted indices keep the split's own order.
/// <para>
/// Users: the pretraining fraction (<see cref="FractionSubset"/>, seeded with the run seed) and every
/// evaluation sample (<see cref="ForEvaluation"/>: the periodic probe's training images, the spectrum's
/// held-out images in periodic evaluation and in <c>selfsup spectrum</c>), so a run's periodic spectra
/// and <c>selfsup spectrum</c> see the same images.
/// </para>
/// </summary>
public static class SeededSample
{
    /// <summary>Mixed into the run seed for evaluation samples, so they are not the pretraining fraction's draw.</summary>
    public const int EvaluationSalt = 0x5EED;

    /// <summary>
    /// <paramref name="count"/> distinct indices of 0 … total−1, sorted; every index when count ≥ total.
    /// </summary>
    public static int[] Choose(int total, int count, int seed)
    {
        if (total < 0) throw new ArgumentOutOfRangeException(nameof(total), total, "the number of images cannot be negative");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "the number of images to pick cannot be negative");
        var all = Enumerable.Range(0, total).ToArray();
        if (count >= total) return all;
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int j = i + rng.Next(total - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        var chosen = all.AsSpan(0, count).ToArray();
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>
    /// The evaluation sample of a run: <see cref="Choose"/>(total, count, runSeed XOR 0x5EED); count ≤ 0
    /// means every image (as <c>eval_images</c> <c>0</c>).
    /// </summary>
    public static int[] ForEvaluation(int total, int count, int runSeed) =>
        Choose(total, count <= 0 ? total : count, runSeed ^ EvaluationSalt);
}
