using static TorchSharp.torch;

namespace SelfSup.Theory;

/// <summary>
/// A synthetic world whose augmentation process is known exactly: n latent images, a row-stochastic
/// transition matrix P (P[i, j] = probability that an augmented view of image i shows latent image j)
/// and a rendering R (n × D: what latent image j looks like to the encoder).
/// <para>
/// A view of image i: draw j ~ P[i, :], then return R[j] + σ·ε with ε ~ N(0, I_D).
/// Images are drawn uniformly (p_i = 1/n).
/// </para>
/// Built-in graphs (<see cref="Ring"/>, <see cref="Grid"/>, <see cref="Clusters"/>) render each latent image
/// as a one-hot vector (D = n), so the encoder can represent any function of the latent image and the
/// theory's optimum is reachable.
/// </summary>
public sealed class SyntheticWorld
{
    /// <summary>Creates a world after checking that P is n × n, finite, non-negative and row-stochastic and R is n × D.</summary>
    /// <exception cref="SelfSupError">P or R is malformed; the message names <paramref name="source"/>.</exception>
    public SyntheticWorld(double[,] transition, double[,] render, double noise, string source)
    {
        int n = transition.GetLength(0);
        if (n < 2 || transition.GetLength(1) != n)
            throw new SelfSupError($"{source}: the transition matrix must be square n × n with n ≥ 2, got {transition.GetLength(0)} × {transition.GetLength(1)}; pass a row-stochastic n × n matrix.");
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                double v = transition[i, j];
                if (!double.IsFinite(v) || v < 0)
                    throw new SelfSupError($"{source}: entry P[{i},{j}] = {v} is not a finite non-negative probability; every entry of the transition matrix must be ≥ 0.");
                sum += v;
            }
            if (Math.Abs(sum - 1) > 1e-4)
                throw new SelfSupError($"{source}: row {i} of the transition matrix sums to {sum:G6}, not 1; the matrix must be row-stochastic (divide each row by its sum).");
        }
        if (render.GetLength(0) != n)
            throw new SelfSupError($"{source}: the rendering has {render.GetLength(0)} rows but the transition matrix has n = {n}; `render` must be n × D, one row per latent image.");
        if (!double.IsFinite(noise) || noise < 0)
            throw new SelfSupError($"`noise` {noise} is not valid; use a standard deviation ≥ 0 such as 0.01.");
        Transition = transition;
        Render = render;
        Noise = noise;
        Source = source;
    }

    /// <summary>P, n × n, row-stochastic.</summary>
    public double[,] Transition { get; }

    /// <summary>R, n × D.</summary>
    public double[,] Render { get; }

    /// <summary>σ of the Gaussian noise added to a rendered view.</summary>
    public double Noise { get; }

    /// <summary>Where the world came from (a graph name or a file), for messages and reports.</summary>
    public string Source { get; }

    /// <summary>Number of latent images n.</summary>
    public int Count => Transition.GetLength(0);

    /// <summary>Dimension D of a rendered view.</summary>
    public int RenderDim => Render.GetLength(1);

    /// <summary>The n × n identity: latent image i looks like e_i.</summary>
    public static double[,] OneHot(int n)
    {
        var r = new double[n, n];
        for (int i = 0; i < n; i++) r[i, i] = 1;
        return r;
    }

    /// <summary>
    /// Ring: a view of image i shows one of i−r … i+r (mod n) uniformly. P is symmetric and doubly stochastic;
    /// its eigenvectors are Fourier modes, which come in (cos, sin) pairs of equal eigenvalue.
    /// </summary>
    public static SyntheticWorld Ring(int n, int radius = 2, double noise = 0.01)
    {
        CheckSize(n, 2 * radius + 1, "ring");
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int k = -radius; k <= radius; k++)
                p[i, ((i + k) % n + n) % n] += 1.0 / (2 * radius + 1);
        return new SyntheticWorld(p, OneHot(n), noise, $"ring (n = {n}, radius {radius})");
    }

    /// <summary>
    /// Grid: n = rows × cols cells (rows the largest divisor of n not above √n); a view of a cell shows the cell
    /// itself or one of its 4 neighbours, each with probability 1/5; a step off the edge stays put (reflecting), so P is symmetric.
    /// </summary>
    public static SyntheticWorld Grid(int n, double noise = 0.01)
    {
        CheckSize(n, 4, "grid");
        int rows = (int)Math.Sqrt(n);
        while (n % rows != 0) rows--;
        int cols = n / rows;
        var p = new double[n, n];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                int i = r * cols + c;
                foreach (var (dr, dc) in new[] { (0, 0), (1, 0), (-1, 0), (0, 1), (0, -1) })
                {
                    int rr = r + dr, cc = c + dc;
                    int j = rr < 0 || rr >= rows || cc < 0 || cc >= cols ? i : rr * cols + cc;
                    p[i, j] += 0.2;
                }
            }
        return new SyntheticWorld(p, OneHot(n), noise, $"grid ({rows} × {cols})");
    }

    /// <summary>
    /// Clusters: the n images split into <paramref name="clusters"/> chains of unequal, seeded lengths (between about
    /// 1/2 and 3/2 of the mean). Cluster c keeps a view inside itself with probability 1 − ε_c and sends it to a uniform
    /// image of another cluster with probability ε_c, where ε_c runs linearly from ε/4 to 7ε/4 over the clusters
    /// (mean ε = <paramref name="inter"/>), so every cluster has its own "stickiness". Inside the cluster, half of
    /// the views show a neighbour within <paramref name="radius"/> steps along the chain (uniform over the 2r + 1 offsets,
    /// reflected at the ends) and half a uniform image of the cluster.
    /// Then the top K − 1 non-constant eigenfunctions are (close to) contrasts of cluster indicators, ordered by
    /// stickiness with gaps of order 3ε/(2K) in P; the slow modes along the chains come far below. A projector
    /// with d ≤ K − 1 therefore has a unique, well-separated target subspace.
    /// </summary>
    public static SyntheticWorld Clusters(int n, int clusters = 17, double inter = 0.1, int radius = 2, int seed = 0, double noise = 0.01)
    {
        if (clusters < 2 || clusters * (2 * radius + 2) > n)
            throw new SelfSupError($"`clusters` {clusters} is not valid for n = {n}; use between 2 and n / {2 * radius + 2} clusters.");
        if (!double.IsFinite(inter) || inter < 0 || inter > 4.0 / 7)
            throw new SelfSupError($"`inter` {inter} is not valid; use a mean inter-cluster probability in [0, 4/7] (the stickiest cluster gets ε/4, the least sticky 7ε/4), such as 0.1.");
        var sizes = ClusterSizes(n, clusters, seed);
        var cluster = new int[n];
        var start = new int[clusters];
        for (int c = 0, at = 0; c < clusters; at += sizes[c], c++)
        {
            start[c] = at;
            for (int k = 0; k < sizes[c]; k++) cluster[at + k] = c;
        }
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            int c = cluster[i], s = sizes[c], pos = i - start[c];
            double leave = inter * (0.25 + 1.5 * c / (clusters - 1.0)), stay = 1 - leave;
            for (int k = -radius; k <= radius; k++)
            {
                int q = pos + k;
                if (q < 0) q = -q - 1;              // reflect at the ends of the chain
                if (q >= s) q = 2 * s - q - 1;
                p[i, start[c] + q] += stay / 2 / (2 * radius + 1);
            }
            for (int j = 0; j < n; j++)
                p[i, j] += cluster[j] == c ? stay / 2 / s : leave / (n - s);
        }
        return new SyntheticWorld(p, OneHot(n), noise, $"clusters (n = {n}, {clusters} clusters, mean inter-cluster probability {inter})");
    }

    /// <summary>Seeded cluster sizes, each between about half and 1.5× the mean, summing to n.</summary>
    private static int[] ClusterSizes(int n, int clusters, int seed)
    {
        var rng = new Random(seed);
        var w = Enumerable.Range(0, clusters).Select(_ => 0.5 + rng.NextDouble()).ToArray();
        double total = w.Sum();
        var sizes = w.Select(v => Math.Max(1, (int)Math.Floor(v / total * n))).ToArray();
        sizes[Array.IndexOf(sizes, sizes.Max())] += n - sizes.Sum();
        return sizes;
    }

    private static void CheckSize(int n, int min, string graph)
    {
        if (n < min)
            throw new SelfSupError($"`n` {n} is too small for the {graph} graph; use at least {min} latent images (e.g. 1024).");
    }

    /// <summary>Reads P (n × n) and R (n × D) from .npy files (float32 or float64).</summary>
    public static SyntheticWorld FromFiles(string transitionPath, string? renderPath, double noise)
    {
        var p = ReadMatrix(transitionPath, "`transition`");
        var r = renderPath is null ? OneHot(p.GetLength(0)) : ReadMatrix(renderPath, "`render`");
        return new SyntheticWorld(p, r, noise, $"the transition matrix {Path.GetFileName(transitionPath)}");
    }

    private static double[,] ReadMatrix(string path, string flag)
    {
        using var t = IO.NpyFile.Read(path);
        if (t.dim() != 2)
            throw new SelfSupError($"{flag} '{path}' has shape ({string.Join(", ", t.shape)}); it must be a 2-D matrix (numpy.save of an n × n or n × D array).");
        using var d = t.to(float64).contiguous();
        var flat = d.data<double>().ToArray();
        int rows = (int)t.shape[0], cols = (int)t.shape[1];
        var m = new double[rows, cols];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }
}
