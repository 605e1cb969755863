namespace SelfSup.Tests.Theory;

/// <summary>
/// Augmentation worlds the theory check was not tuned on, built here from graphs: a weighted adjacency A is symmetrised,
/// made doubly stochastic (Sinkhorn), then lazy, P = (I + S)/2, so the marginal is uniform and P's top non-constant
/// eigenvectors are the target. Renderings are not one-hot: random Gaussian or random sparse binary vectors.
/// </summary>
public static class TheoryWorlds
{
    /// <summary>A named world: transition P (n × n), rendering R (n × D), and the d its spectral gap singles out.</summary>
    public sealed record World(string Name, double[,] Transition, double[,] Render, int Dim);

    /// <summary>The GPU issue's world: 4 rings of 48 with random chords, a few weak links between clusters; d = 3; Gaussian 32-D renders.</summary>
    public static World RingClusters(int seed = 0) => Clusters("four rings with chords", [48, 48, 48, 48], seed, chords: 8, ring: true, links: 2, linkWeight: 0.3, chain: true);

    /// <summary>Clusters of unequal sizes (20, 40, 60, 100), dense inside, weak links; d = 3; sparse binary 64-D renders.</summary>
    public static World UnequalClusters(int seed = 1) => Clusters("unequal clusters", [20, 40, 60, 100], seed, chords: 0, ring: false, links: 3, linkWeight: 0.2, chain: false, binary: true);

    /// <summary>Six clusters on a ring (each linked to its two neighbours), 30 images each; d = 5; Gaussian 24-D renders.</summary>
    public static World RingOfClusters(int seed = 2) => Clusters("ring of six clusters", [30, 30, 30, 30, 30, 30], seed, chords: 0, ring: false, links: 3, linkWeight: 0.3, chain: true, closeChain: true);

    /// <summary>Five rings of unequal sizes (30–70) with many chords, all pairs weakly linked; d = 4; Gaussian 16-D renders. Held out: not looked at while the recipe was chosen.</summary>
    public static World ChordedRings(int seed = 4) => Clusters("five chorded rings", [50, 30, 70, 40, 60], seed, chords: 32, ring: true, links: 2, linkWeight: 0.2, chain: false, dims: 16);

    /// <summary>A 3 × 3 grid of clusters of 24 (each linked to its grid neighbours); d = 8; Gaussian 48-D renders.</summary>
    public static World GridOfClusters(int seed = 3)
    {
        int side = 3, size = 24, k = side * side, n = k * size;
        var rng = new Random(seed);
        var a = new double[n, n];
        for (int c = 0; c < k; c++) Dense(a, c * size, size, rng);
        for (int c = 0; c < k; c++)
        {
            int x = c % side, y = c / side;
            if (x + 1 < side) Link(a, c * size, (c + 1) * size, size, 3, 0.3, rng);
            if (y + 1 < side) Link(a, c * size, (c + side) * size, size, 3, 0.3, rng);
        }
        return Finish("3×3 grid of clusters", a, k - 1, Gaussian(n, 48, rng));
    }

    private static World Clusters(string name, int[] sizes, int seed, int chords, bool ring, int links, double linkWeight, bool chain,
        bool closeChain = false, bool binary = false, int? dims = null)
    {
        var rng = new Random(seed);
        int n = sizes.Sum(), k = sizes.Length;
        var starts = new int[k];
        for (int c = 1; c < k; c++) starts[c] = starts[c - 1] + sizes[c - 1];
        var a = new double[n, n];
        for (int c = 0; c < k; c++)
        {
            if (!ring) { Dense(a, starts[c], sizes[c], rng); continue; }
            for (int i = 0; i < sizes[c]; i++) Add(a, starts[c] + i, starts[c] + (i + 1) % sizes[c], 1);
            for (int j = 0; j < chords * sizes[c] / 16; j++) Add(a, starts[c] + rng.Next(sizes[c]), starts[c] + rng.Next(sizes[c]), 1);
        }
        for (int c = 0; c < k; c++)
        {
            int next = c + 1;
            if (next == k && !(chain && closeChain)) continue;
            if (!chain && next == k) continue;
            Link(a, starts[c], starts[next % k], Math.Min(sizes[c], sizes[next % k]), links, linkWeight, rng);
        }
        if (!chain)   // every pair of clusters weakly linked
            for (int c = 0; c < k; c++)
                for (int e = c + 2; e < k; e++) Link(a, starts[c], starts[e], Math.Min(sizes[c], sizes[e]), links, linkWeight, rng);
        return Finish(name, a, k - 1, binary ? SparseBinary(n, 64, 8, rng) : Gaussian(n, dims ?? (ring ? 32 : 24), rng));
    }

    private static void Add(double[,] a, int i, int j, double w) { a[i, j] += w; a[j, i] += w; }

    /// <summary>Each image of the block linked to 6 random others of it.</summary>
    private static void Dense(double[,] a, int start, int size, Random rng)
    {
        for (int i = 0; i < size; i++)
            for (int e = 0; e < 6; e++) Add(a, start + i, start + rng.Next(size), 1);
    }

    private static void Link(double[,] a, int startA, int startB, int size, int count, double weight, Random rng)
    {
        for (int e = 0; e < count; e++) Add(a, startA + rng.Next(size), startB + rng.Next(size), weight);
    }

    /// <summary>Self-loops on the diagonal (so no row is empty), Sinkhorn to doubly stochastic, then lazy.</summary>
    private static World Finish(string name, double[,] a, int dim, double[,] render)
    {
        int n = a.GetLength(0);
        for (int i = 0; i < n; i++) a[i, i] += 1;
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            double worst = 0;
            for (int i = 0; i < n; i++)
            {
                double row = 0;
                for (int j = 0; j < n; j++) row += a[i, j];
                worst = Math.Max(worst, Math.Abs(row - 1));
                for (int j = 0; j < n; j++) { a[i, j] /= Math.Sqrt(row); a[j, i] /= Math.Sqrt(row); }
            }
            if (worst < 1e-12) break;
        }
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            double row = 0;
            for (int j = 0; j < n; j++) row += a[i, j];
            for (int j = 0; j < n; j++) p[i, j] = a[i, j] / row / 2 + (i == j ? 0.5 : 0);
        }
        return new World(name, p, render, dim);
    }

    private static double[,] Gaussian(int n, int dims, Random rng)
    {
        var r = new double[n, dims];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < dims; j++)
                r[i, j] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        return r;
    }

    private static double[,] SparseBinary(int n, int dims, int ones, Random rng)
    {
        var r = new double[n, dims];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < ones; k++) r[i, rng.Next(dims)] = 1;
        return r;
    }
}
