using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>Small pieces of matrix algebra shared by the losses.</summary>
internal static class LossMath
{
    /// <summary>Σ_{k≠l} C_kl² for a square matrix C (the off-diagonal mass penalised by every loss here).</summary>
    public static Tensor OffDiagonalSquaredSum(Tensor c) => OffDiagonal(c).square().sum();

    /// <summary>
    /// The off-diagonal entries of a d×d matrix C as a (d−1)×d view: in C's row-major storage, the d+1 entries from one
    /// diagonal entry to the next are it and d off-diagonal ones. A view, so no d×d mask is built per call and nothing
    /// cancels (as Σ C² − Σ diag² would).
    /// </summary>
    public static Tensor OffDiagonal(Tensor c)
    {
        long d = c.shape[0];
        return c.reshape(-1).narrow(0, 1, d * d - 1).view(d - 1, d + 1).narrow(1, 0, d);
    }
}
