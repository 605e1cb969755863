using static TorchSharp.torch;

namespace SelfSup.Distributed;

/// <summary>
/// The global batch from each rank's slice: rank r holds rows [r·n, (r+1)·n) of the N = R·n images of a step.
/// <para>
/// <see cref="Gather"/> pads the local N/R × M × d embeddings with zeros to N × M × d at the rank's offset and sums
/// them over ranks with the differentiable <see cref="AllReduceFunction"/>: every rank then holds the whole batch in
/// the single-process order, and any loss — Barlow Twins' per-dimension mean, std and cross-correlation, VICReg's
/// variance, covariance and invariance — is computed on the global batch exactly as one process would, with its
/// gradient flowing back to each rank's own rows. Sending the embeddings (N·M·d numbers) instead of the loss's
/// statistics (d² for a cross-correlation) is also the smaller message whenever N·M &lt; d.
/// </para>
/// </summary>
public static class GlobalBatch
{
    /// <summary>The images of a global batch of <paramref name="batchSize"/> that rank <paramref name="rank"/> of <paramref name="size"/> trains on: (offset, count).</summary>
    public static (int Offset, int Count) Slice(int batchSize, int rank, int size)
    {
        if (batchSize % size != 0)
            throw new SelfSupError($"`batch_size` {batchSize} (the global batch) must split evenly over the {size} ranks; use a multiple of {size}");
        int count = batchSize / size;
        return (rank * count, count);
    }

    /// <summary>Local rows (n × …) → the global batch (R·n × …) on every rank, differentiable; the tensor itself for one process.</summary>
    public static Tensor Gather(Tensor local, ProcessGroup group) =>
        group.Size == 1 ? local : AllReduceFunction.Sum(Pad(local, group.Rank, group.Size), group);

    /// <summary>This rank's rows at its offset in a global batch of zeros (R·n × …), differentiable in <paramref name="local"/>.</summary>
    public static Tensor Pad(Tensor local, int rank, int size)
    {
        long n = local.shape[0];
        var rest = local.shape[1..];
        Tensor Zeros(long rows) => zeros([rows, .. rest], dtype: local.dtype, device: local.device);
        return cat([Zeros(rank * n), local, Zeros((size - rank - 1) * n)], 0);
    }
}
