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
