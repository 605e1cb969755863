using SelfSup.Data;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// What step b of epoch e trains on, as a pure function of (seed, epoch, b): the epoch's image order is the
/// training subset shuffled with a seed derived from (seed, epoch) (<see cref="Order"/>); batch b holds the
/// images <c>order[b·N … (b+1)·N)</c>, and view m of image i gets the key (seed, e, i, m)
/// (<see cref="ViewKeys"/>). Nothing depends on the batches drawn before, so a run resumed at any step, a
/// prefetcher running ahead, or several processes each taking a slice of the batch see the same views.
/// <para>
/// The views are drawn on <paramref name="device"/> (the training device; the CPU when null): the uint8 images move
/// there first and the augmentations run there, so a GPU is not fed by CPU augmentation. Their random numbers are not
/// a device generator's stream but each view's own key (a small table moved along with the images), so the views do
/// not depend on the device, the batch size or how the batch is split between ranks.
/// </para>
/// </summary>
public sealed class EpochBatches(ImageDataset data, ViewSampler sampler, int seed, int epoch, int[] order, int batchSize, Device? device = null)
{
    /// <summary>The epoch's image order: <paramref name="subset"/> shuffled (Fisher–Yates, <see cref="Random"/>) with the seed <see cref="DataOrderSeed"/>.</summary>
    public static int[] Order(int[] subset, int seed, int epoch)
    {
        var order = (int[])subset.Clone();
        new Random(DataOrderSeed(seed, epoch)).Shuffle(order);
        return order;
    }

    /// <summary>The shuffle seed of an epoch: 31 bits of <c>SplitMix64.Combine(Combine(0xDA7A0DE7, seed), epoch)</c>.</summary>
    public static int DataOrderSeed(int seed, int epoch) =>
        (int)(SplitMix64.Combine(SplitMix64.Combine(0xDA7A0DE7UL, (uint)seed), (uint)epoch) & 0x7FFFFFFF);

    /// <summary>Number of whole batches in the epoch (a last partial batch is dropped).</summary>
    public int Count => order.Length / batchSize;

    /// <summary>Dataset indices of the images of batch <paramref name="b"/>.</summary>
    public ReadOnlySpan<int> Images(int b) => order.AsSpan(b * batchSize, batchSize);

    /// <summary>The views of batch <paramref name="b"/>: N×M×C×S×S float32, and the small crops with multi-crop (see <see cref="ViewSampler.SampleBatch"/>).</summary>
    public ViewBatch Views(int b) => Views(b, 0, batchSize);

    /// <summary>
    /// The views of images <c>[offset, offset + count)</c> of batch <paramref name="b"/> — one rank's slice of a global
    /// batch in data-parallel training. Each image's views depend only on its key, so the slices of all ranks together
    /// are exactly <see cref="Views(int)"/>.
    /// </summary>
    public ViewBatch Views(int b, int offset, int count)
    {
        ViewBatch views;
        using (var scope = NewDisposeScope())
        {
            var images = Images(b).Slice(offset, count);
            var pixels = data.Gather(images);
            if (device is not null) pixels = DeviceCopy.Of(pixels, device);
            views = sampler.SampleBatch(pixels, ViewKeys.For(seed, epoch, images, sampler.KeysPerImage)).DetachFromDisposeScope();
        }
        return views;
    }
}
