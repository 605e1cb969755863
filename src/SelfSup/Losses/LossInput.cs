using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>Shared input checks for <see cref="IMultiViewLoss"/> implementations.</summary>
public static class LossInput
{
    /// <summary>
    /// Checks that <paramref name="z"/> is a floating-point N x M x d tensor with N &gt;= 2 images and
    /// <paramref name="minViews"/> &lt;= M (&lt;= <paramref name="maxViews"/> if given) views, and returns (N, M, d).
    /// </summary>
    /// <exception cref="SelfSupError">The tensor does not have the expected shape or dtype.</exception>
    public static (long N, long M, long D) Check(Tensor z, string lossName, int minViews = 2, int? maxViews = null)
    {
        if (z is null)
            throw new SelfSupError($"loss '{lossName}': no embeddings were given; pass a tensor of shape N x M x d (images x views x dims).");
        if (z.dim() != 3)
            throw new SelfSupError($"loss '{lossName}': embeddings must have shape N x M x d (images x views x dims), got rank {z.dim()} shape [{string.Join(", ", z.shape)}]; reshape the projector output to (N, M, d) before calling the loss.");
        if (!torch.is_floating_point(z))
            throw new SelfSupError($"loss '{lossName}': embeddings must be float32 or float64, got {z.dtype}; convert them with .to(float32).");
        long n = z.shape[0], m = z.shape[1], d = z.shape[2];
        if (m < minViews)
            throw new SelfSupError($"loss '{lossName}': needs at least {minViews} views per image, got M = {m} (shape [{n}, {m}, {d}]); sample more views per image.");
        if (maxViews is int max && m > max)
            throw new SelfSupError($"loss '{lossName}': works with exactly {max} views per image, got M = {m} (shape [{n}, {m}, {d}]); use 2 views or a multi-view method such as 'bt' or 'vicreg'.");
        if (n < 2)
            throw new SelfSupError($"loss '{lossName}': needs at least 2 images in the batch to estimate statistics, got N = {n} (shape [{n}, {m}, {d}]); increase the batch size.");
        if (d < 1)
            throw new SelfSupError($"loss '{lossName}': embedding dimension d must be at least 1, got shape [{n}, {m}, {d}].");
        return (n, m, d);
    }
}

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
