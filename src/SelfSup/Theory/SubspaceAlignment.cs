using static TorchSharp.torch;

namespace SelfSup.Theory;

/// <summary>
/// How well the column space of features A (n × r) matches a target subspace spanned by B (n × d):
/// <code>
///   alignment(A, B) = (1/d) · ‖Q_Aᵀ Q_B‖_F²  =  (1/d) Σ_i cos² θ_i
/// </code>
/// with Q_A, Q_B orthonormal bases of the two column spaces (SVD in float64; directions whose singular value is
/// below 10⁻⁹ of the largest are numerical zeros and dropped) and θ_i the principal angles between the spaces.
/// 1 = A's span contains B's (equal spans when r = d); 0 = orthogonal. A span of fewer than d directions counts the
/// missing angles as 90°. For r &gt; d it is the fraction of B's span that A captures.
/// For d random directions against a fixed d-dimensional subspace of an m-dimensional space the expected value is d/m.
/// The value does not change when A is multiplied on the right by any invertible matrix (rotations, rescaling of
/// features), since only the span enters.
/// </summary>
public static class SubspaceAlignment
{
    /// <summary>Relative singular-value threshold below which a direction is a numerical zero.</summary>
    public const double RankTolerance = 1e-9;

    /// <summary>(1/d)·‖Q_Aᵀ Q_B‖_F² for A (n × r) and B (n × d), both with n rows; d = the number of columns of B.</summary>
    public static double Compute(Tensor a, Tensor b)
    {
        if (a.dim() != 2 || b.dim() != 2 || a.shape[0] != b.shape[0])
            throw new ArgumentException($"alignment needs two matrices with the same number of rows, got ({string.Join(", ", a.shape)}) and ({string.Join(", ", b.shape)})");
        using var scope = NewDisposeScope();
        var qa = OrthonormalBasis(a);
        var qb = OrthonormalBasis(b);
        if (qa.shape[1] == 0) return 0;
        double captured = qa.t().matmul(qb).square().sum().item<double>();
        return captured / b.shape[1];
    }

    /// <summary>An orthonormal basis (n × rank) of the column space of <paramref name="m"/>, from its thin SVD in float64.</summary>
    public static Tensor OrthonormalBasis(Tensor m)
    {
        using var scope = NewDisposeScope();
        var x = m.to(float64);
        var (u, s, _) = linalg.svd(x, fullMatrices: false);
        double top = s.numel() > 0 ? s.max().item<double>() : 0;
        if (top <= 0) return zeros(m.shape[0], 0, dtype: float64).MoveToOuterDisposeScope();
        long rank = s.gt(top * RankTolerance).sum().item<long>();
        return u.narrow(1, 0, rank).contiguous().MoveToOuterDisposeScope();
    }
}
