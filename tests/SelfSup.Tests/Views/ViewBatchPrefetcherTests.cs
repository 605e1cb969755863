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

    [Theory]
    [InlineData(2)]
    [InlineData(0)]   // no thread: each batch made when taken
    public void GivesTheSameBatchesInTheSameOrderAsASynchronousLoop(int capacity)
    {
        using var data = Data(40);
        var order = Enumerable.Range(0, 40).Reverse().ToArray();
        var batches = new EpochBatches(data, new ViewSampler(AugmentationPreset.FashionMnist, 3), seed: 5, epoch: 2, order, batchSize: 8);
        using var prefetcher = new ViewBatchPrefetcher(batches.Views, 0, batches.Count, capacity);
        for (int b = 0; b < 5; b++)
        {
            using var scope = torch.NewDisposeScope();
            using var expected = batches.Views(b);
            using var actual = prefetcher.Next();
            Assert.Equal([8L, 3, 1, 28, 28], actual.Full.shape);
            Assert.True(expected.Full.equal(actual.Full).all().item<bool>(), $"batch {b} differs");
        }
        Assert.Throws<InvalidOperationException>(() => prefetcher.Next());
    }

    [Fact]
    public void StartingInsideTheEpochGivesTheSameLaterBatches()
    {
        using var data = Data(40);
        var order = Enumerable.Range(0, 40).ToArray();
        var batches = new EpochBatches(data, new ViewSampler(AugmentationPreset.FashionMnist, 2), seed: 1, epoch: 0, order, batchSize: 8);
        var all = new List<ViewBatch>();
        using (var full = new ViewBatchPrefetcher(batches.Views, 0, 5))
            for (int b = 0; b < 5; b++) all.Add(full.Next());
        using var resumed = new ViewBatchPrefetcher(batches.Views, 3, 5);
        for (int b = 3; b < 5; b++)
        {
            using var views = resumed.Next();
            Assert.True(views.Full.eq(all[b].Full).all().item<bool>(), $"batch {b} differs when the prefetcher starts at batch 3");
        }
        all.ForEach(t => t.Dispose());
    }

    /// <summary>
    /// Views drawn on the training device (the CPU: this machine has no other) in two unequal rank slices make up the
    /// batch drawn whole on the default device, with every op of the CIFAR preset (crop, flip, jitter, grayscale, blur, solarize).
    /// </summary>
    [Fact]
    public void SlicesDrawnOnTheTrainingDeviceMakeUpTheWholeBatch()
    {
        using var data = new ImageDataset("synthetic", "train", torch.randint(0, 256, [32, 3, 32, 32], dtype: ScalarType.Byte, generator: new torch.Generator(8)),
            Enumerable.Range(0, 32).Select(i => i % 10).ToArray(), 10);
        var sampler = new ViewSampler(AugmentationPreset.Cifar, 2);
        var order = Enumerable.Range(0, 32).Reverse().ToArray();
        using var wholeBatch = new EpochBatches(data, sampler, seed: 4, epoch: 1, order, batchSize: 16).Views(1);
        var whole = wholeBatch.Full;
        var onDevice = new EpochBatches(data, sampler, seed: 4, epoch: 1, order, batchSize: 16, device: torch.CPU);
        using var first = onDevice.Views(1, 0, 4);
        using var rest = onDevice.Views(1, 4, 12);
        using var parts = torch.cat([first.Full, rest.Full], 0);
        Assert.Equal(DeviceType.CPU, parts.device_type);
        Assert.Equal(whole.shape, parts.shape);
        Assert.True(whole.equal(parts).all().item<bool>(), "the slices drawn on the device differ from the whole batch");
    }

    [Fact]
    public void A_background_thread_is_used_only_when_training_leaves_a_core_or_runs_elsewhere()
    {
        Assert.False(ViewBatchPrefetcher.PaysOff(DeviceType.CPU, trainingThreads: 2, ranksOnThisMachine: 1, cores: 2));
        Assert.False(ViewBatchPrefetcher.PaysOff(DeviceType.CPU, trainingThreads: 1, ranksOnThisMachine: 2, cores: 2));
        Assert.True(ViewBatchPrefetcher.PaysOff(DeviceType.CPU, trainingThreads: 1, ranksOnThisMachine: 1, cores: 2));
        Assert.True(ViewBatchPrefetcher.PaysOff(DeviceType.CUDA, trainingThreads: 8, ranksOnThisMachine: 4, cores: 8));
    }

    [Fact]
    public void DisposingEarlyStopsTheProducer()
    {
        using var data = Data(64);
        var batches = new EpochBatches(data, new ViewSampler(AugmentationPreset.FashionMnist, 2), 0, 0, Enumerable.Range(0, 64).ToArray(), 8);
        var prefetcher = new ViewBatchPrefetcher(batches.Views, 0, batches.Count, capacity: 1);
        using (prefetcher.Next()) { }
        var dispose = Task.Run(prefetcher.Dispose);
        Assert.True(dispose.Wait(TimeSpan.FromSeconds(30)), "Dispose hung");
    }
}
