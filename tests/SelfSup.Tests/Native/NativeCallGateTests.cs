using SelfSup.Native;
using Xunit;

namespace SelfSup.Tests.Native;

/// <summary>The gate that keeps collections (and so TorchSharp's Scalar finalisers) away from threads inside libtorch.</summary>
public sealed class NativeCallGateTests
{
    private sealed class Finalisable(Action onFinalise) { ~Finalisable() => onFinalise(); }

    private static void Drop(Action onFinalise) => _ = new Finalisable(onFinalise);

    [Fact]
    public void While_open_no_collection_runs_until_a_safe_point_which_runs_the_pending_finalisers()
    {
        using (NativeCallGate.Open())
        {
            NativeCallGate.SafePoint();
            Assert.True(NativeCallGate.Holding, "the gate did not enter a no-GC region");
            int gen0 = GC.CollectionCount(0);
            bool finalised = false;
            Drop(() => finalised = true);
            var keep = new List<byte[]>();
            for (int i = 0; i < 100; i++) keep.Add(new byte[100_000]);          // 10 MB: within the budget
            Assert.Equal(gen0, GC.CollectionCount(0));
            Assert.False(finalised);
            keep.Clear();
            for (int i = 0; i < 400; i++) _ = new byte[100_000];                // past half the budget
            NativeCallGate.SafePoint();
            Assert.True(GC.CollectionCount(0) > gen0);
            Assert.True(finalised, "the safe point did not run the dropped object's finaliser");
            Assert.True(NativeCallGate.Holding, "no new region after the safe point");
        }
    }

    [Fact]
    public void A_safe_point_waits_for_a_worker_inside_torchsharp_to_finish_its_piece()
    {
        using var gate = NativeCallGate.Open();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var worker = new Thread(() =>
        {
            using (NativeCallGate.Work())
            {
                entered.Set();
                release.Wait();
                order.Enqueue("worker done");
            }
        });
        worker.Start();
        entered.Wait();
        for (int i = 0; i < 400; i++) _ = new byte[100_000];                    // make the safe point due
        var collector = new Thread(() => { NativeCallGate.SafePoint(); order.Enqueue("collected"); });
        collector.Start();
        Thread.Sleep(200);
        Assert.Empty(order);                                                    // still waiting for the worker
        release.Set();
        worker.Join();
        collector.Join();
        Assert.Equal(["worker done", "collected"], order.ToArray());
    }
}
