using static TorchSharp.torch;

namespace SelfSup.Theory;

/// <summary>
/// The augmentation kernel of a view-sampling process and its eigenfunctions, computed exactly (float64 eigh).
/// <para>
/// <b>The kernel.</b> An image i is drawn with probability p_i (uniform here) and its views independently from
/// P[i, :]. Two views of the same image show latent images (j, k) with probability
/// <code>  W_jk = Σ_i p_i P_ij P_ik,   i.e.  W = Pᵀ diag(p) P   (n × n, symmetric, positive semi-definite),</code>
/// and one view shows j with the marginal probability q_j = Σ_k W_jk = (Pᵀ p)_j.
/// The operator that averages a function over the other view of the same image,
/// <code>  (T f)(j) = E[f(k) | one view shows j] = (1/q_j) Σ_k W_jk f(k),   T = D_q⁻¹ W,</code>
/// is the forward–backward kernel: go back from the view j to an image i (by Bayes, ∝ p_i P_ij), then forward to
/// a fresh view k ~ P[i, :]. It is self-adjoint in L²(q), its eigenvalues lie in [0, 1], and its top eigenfunction
/// is the constant (eigenvalue 1). For a symmetric doubly-stochastic P and uniform p, q is uniform and T = PᵀP = P²,
/// so its eigenvectors are those of P ordered by |λ(P)|.
/// </para>
/// <para>
/// <b>Why the loss lands there.</b> Barlow Twins standardises every embedding dimension over the views (mean 0,
/// variance 1 under q) and, with a large enough orthogonality weight β, decorrelates them: ⟨f_k, f_l⟩_q = δ_kl and
/// f_k ⊥ 1. Its invariance term is Σ_k (1 − C_kk)² with C_kk = E_pair[f_k(j) f_k(k)] = ⟨f_k, T f_k⟩_q ≤ 1 (with M
/// views compared with their mean, C_kk = (1 + (M − 1)⟨f_k, T f_k⟩_q)/M, still increasing in it). The diagonal of
/// FᵀTF for an L²(q)-orthonormal F is majorised by its eigenvalues (Schur) and c ↦ −(1 − c)² is concave, so the
/// minimum is reached at eigenfunctions of T, and by Cauchy interlacing at the top d non-constant ones: the d
/// learned dimensions span the eigenfunctions φ_2 … φ_{d+1} of T (φ_1 = constant is removed by the centring).
/// More views per image average more samples of T per step; the empirical kernel (<see cref="FromPairCounts"/>) is
/// what a finite run actually saw.
/// </para>
/// <para>
/// <b>Computation.</b> S = D_q^{-1/2} W D_q^{-1/2} is symmetric with the same eigenvalues; its eigenvectors u give
/// φ = D_q^{-1/2} u. Alignment is measured in L²(q): features F are centred with q-weights and compared as
/// D_q^{1/2} F_c with the basis u (<see cref="Align"/>).
/// </para>
/// </summary>
public sealed class AugmentationKernel : IDisposable
{
    private AugmentationKernel(Tensor pairs, string name)
    {
        using var scope = NewDisposeScope();
        var w = pairs.to(float64);
        w = (w + w.t()) / 2;
        var q = w.sum(1);
        q = q / q.sum();
        w = w / w.sum();
        var s = q.clamp_min(1e-300).rsqrt();
        var (values, vectors) = linalg.eigh(s.unsqueeze(1) * w * s.unsqueeze(0));
        Eigenvalues = values.flip(0).data<double>().ToArray();
        Vectors = vectors.flip(1).contiguous().MoveToOuterDisposeScope();
        SqrtMarginal = q.sqrt().MoveToOuterDisposeScope();
        Marginal = q.MoveToOuterDisposeScope();
        Name = name;
    }

    /// <summary>The exact kernel of transition matrix P (n × n) with uniform images: W = PᵀP / n.</summary>
    public static AugmentationKernel FromTransition(double[,] transition)
    {
        int n = transition.GetLength(0);
        using var p = tensor(transition, dtype: float64);
        using var w = p.t().matmul(p) / n;
        return new AugmentationKernel(w, "exact");
    }

    /// <summary>
    /// The empirical kernel of the views a run drew: <paramref name="counts"/>[j, k] = how many times two views of the
    /// same image showed j and k (all ordered pairs of distinct views). A latent image never drawn gets q = 0 and
    /// eigenvectors supported elsewhere.
    /// </summary>
    public static AugmentationKernel FromPairCounts(Tensor counts) => new(counts, "empirical");

    /// <summary>"exact" or "empirical".</summary>
    public string Name { get; }

    /// <summary>Eigenvalues of T, descending (the first is 1, the constant).</summary>
    public double[] Eigenvalues { get; }

    /// <summary>Eigenvectors u of S = D_q^{-1/2} W D_q^{-1/2} as columns, in the order of <see cref="Eigenvalues"/>.</summary>
    public Tensor Vectors { get; }

    /// <summary>The view marginal q.</summary>
    public Tensor Marginal { get; }

    private Tensor SqrtMarginal { get; }

    /// <summary>Number of latent images n.</summary>
    public int Count => Eigenvalues.Length;

    /// <summary>The top d non-constant eigenfunctions φ_2 … φ_{d+1} of T, evaluated on the n latent images (n × d).</summary>
    public Tensor TopEigenfunctions(int d)
    {
        CheckDim(d);
        using var scope = NewDisposeScope();
        return (Vectors.narrow(1, 1, d) / SqrtMarginal.clamp_min(1e-150).unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// λ_{d+1} − λ_{d+2}: the gap between the last eigenvalue kept and the first left out (the constant excluded).
    /// Near 0 the top-d subspace is not unique (ties, e.g. the cos/sin pairs of a ring split at d) and the alignment's ceiling is below 1.
    /// </summary>
    public double Gap(int d) => d + 2 <= Count ? Eigenvalues[d] - Eigenvalues[d + 1] : double.NaN;

    /// <summary>
    /// Alignment in L²(q) of features F (n × r, rows = latent images) with the top d non-constant eigenfunctions:
    /// (1/d)‖Q_Aᵀ U_d‖² with A = D_q^{1/2}(F − 1 qᵀF) and U_d = the eigenvectors 2 … d+1 of S.
    /// </summary>
    public double Align(Tensor features, int d)
    {
        CheckDim(d);
        using var scope = NewDisposeScope();
        var f = features.to(float64);
        var centred = f - Marginal.unsqueeze(0).matmul(f);
        return SubspaceAlignment.Compute(SqrtMarginal.unsqueeze(1) * centred, Vectors.narrow(1, 1, d));
    }

    /// <summary>
    /// Alignment of the top-d principal subspace of features F (n × r, r possibly ≥ n) with the top d non-constant
    /// eigenfunctions: the d leading left singular vectors of A = D_q^{1/2}(F − 1 qᵀF) against U_d. Unlike
    /// <see cref="Align"/> on all r features — which is 1 for any features once r ≥ n, since every function of n points
    /// is then in their span — this asks whether the features' main directions are the eigenfunctions.
    /// </summary>
    public double AlignPrincipal(Tensor features, int d)
    {
        CheckDim(d);
        using var scope = NewDisposeScope();
        var f = features.to(float64);
        var centred = SqrtMarginal.unsqueeze(1) * (f - Marginal.unsqueeze(0).matmul(f));
        var (u, singular, _) = linalg.svd(centred, fullMatrices: false);
        long keep = Math.Min(d, u.shape[1]);   // u·s keeps the scale, so directions of singular value 0 are dropped as numerical zeros
        return SubspaceAlignment.Compute(u.narrow(1, 0, keep) * singular.narrow(0, 0, keep), Vectors.narrow(1, 1, d));
    }

    private void CheckDim(int d)
    {
        if (d < 1 || d + 1 > Count)
            throw new SelfSupError($"projector dimension d = {d} is not valid for a world of n = {Count} latent images; use 1 ≤ d ≤ n − 1.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Vectors.Dispose();
        Marginal.Dispose();
        SqrtMarginal.Dispose();
    }
}
