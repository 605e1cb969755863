namespace SelfSup.Views;

/// <summary>
/// The key of one augmented view: a pure function of (seed, epoch, image index, view index),
/// <c>key = Combine(Combine(Combine(Combine(0x5E1F5EEDUL, seed), epoch), image), view)</c> with
/// <see cref="SplitMix64.Combine"/>. Every random parameter of the view is drawn from this key
/// (<see cref="ViewDraws"/>), so view m of image i in epoch e is the same whatever the batch size, the
/// prefetch depth, the point a run was resumed from, or the number of processes sharing a batch.
/// </summary>
public static class ViewKeys
{
    private const ulong Domain = 0x5E1F5EEDUL;

    /// <summary>The key of view <paramref name="view"/> of image <paramref name="image"/> in <paramref name="epoch"/>.</summary>
    public static ulong Of(int seed, int epoch, int image, int view) =>
        SplitMix64.Combine(SplitMix64.Combine(SplitMix64.Combine(SplitMix64.Combine(Domain, (uint)seed), (uint)epoch), (uint)image), (uint)view);

    /// <summary>Keys of all M views of each image, image-major: entry <c>n·M + m</c> is view m of <c>images[n]</c>.</summary>
    public static ulong[] For(int seed, int epoch, ReadOnlySpan<int> images, int views)
    {
        var keys = new ulong[images.Length * views];
        for (int n = 0; n < images.Length; n++)
            for (int m = 0; m < views; m++)
                keys[n * views + m] = Of(seed, epoch, images[n], m);
        return keys;
    }

    /// <summary>Keys drawn from a generator, for callers without image indices (previews, view-averaged features).</summary>
    public static ulong[] From(TorchSharp.torch.Generator generator, int count)
    {
        using var draws = TorchSharp.torch.randint(long.MinValue, long.MaxValue, [count], TorchSharp.torch.ScalarType.Int64, generator: generator);
        return draws.data<long>().Select(v => (ulong)v).ToArray();
    }
}
