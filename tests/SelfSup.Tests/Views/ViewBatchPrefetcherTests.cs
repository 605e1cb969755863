using SelfSup.Data;
using SelfSup.Views;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Views;

public sealed class ViewBatchPrefetcherTests
{
    private static ImageDataset Data(int n) =>
        new("synthetic", "train", torch.randint(0, 256, [n, 1, 28, 28], dtype: ScalarType.Byte, generator: new torch.Generator(3)),
            Enumerable.Range(0, n).Select(i => i % 10).ToArray(), 10);

    [Fact]
    public void GivesTheSameBatchesInTheSameOrderAsASynchronousLoop()
    {
        using var data = Data(40);
        var order = Enumerable.Range(0, 40).Reverse().ToArray();
        var sampler = new ViewSampler(AugmentationPreset.FashionMnist, 3);
        using var syncGen = new torch.Generator(11);
        using var asyncGen = new torch.Generator(11);
        using var prefetcher = new ViewBatchPrefetcher(data, order, 8, 5, sampler, asyncGen, capacity: 2);
        for (int b = 0; b < 5; b++)
        {
            using var scope = torch.NewDisposeScope();
            var expected = sampler.Sample(data.Gather(order.AsSpan(b * 8, 8)), syncGen);
            using var actual = prefetcher.Next();
            Assert.Equal([8L, 3, 1, 28, 28], actual.shape);
            Assert.True(expected.equal(actual).all().item<bool>(), $"batch {b} differs");
        }
        Assert.Throws<InvalidOperationException>(() => prefetcher.Next());
    }

    [Fact]
    public void DisposingEarlyStopsTheProducer()
    {
        using var data = Data(64);
        var order = Enumerable.Range(0, 64).ToArray();
        using var gen = new torch.Generator(1);
        var prefetcher = new ViewBatchPrefetcher(data, order, 8, 8, new ViewSampler(AugmentationPreset.FashionMnist, 2), gen, capacity: 1);
        using (prefetcher.Next()) { }
        var dispose = Task.Run(prefetcher.Dispose);
        Assert.True(dispose.Wait(TimeSpan.FromSeconds(30)), "Dispose hung");
    }
}
