using SelfSup.Native;
using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// The input pipeline of one epoch: a background thread makes batch b+1, b+2, … (up to <c>capacity</c>
/// ahead) while the trainer runs step b, so view generation overlaps the optimiser step (what FFCV's
/// loaders give the authors' code). Batches come out in order. Each batch is a pure function of its index
/// (the views are keyed on seed, epoch, image and view; see <see cref="ViewKeys"/>), so how far the thread
/// has drawn ahead never changes a result, and a resumed run can start at any batch. The caller owns (and
/// disposes) each views tensor it takes.
/// <para>
/// With <c>capacity</c> 0 there is no thread: <see cref="Next"/> makes the batch on the caller's thread. That is the
/// better choice when training already keeps every core busy (see <see cref="PaysOff"/>).
/// </para>
/// </summary>
public sealed class ViewBatchPrefetcher : IDisposable
{
    private readonly BlockingCollection<ViewBatch> ready;
    private readonly CancellationTokenSource cancel = new();
    private readonly Task producer;
    private readonly Func<int, ViewBatch> makeBatch;
    private readonly bool inline;   // capacity 0: the caller's thread makes each batch when it is taken
    private int next;
    private readonly int end;

    /// <summary>
    /// Whether drawing views on a background thread pays: when training runs on another device, or leaves a core of
    /// this machine idle (<paramref name="trainingThreads"/> × <paramref name="ranksOnThisMachine"/> &lt; cores). When
    /// training keeps every core busy, the extra thread only preempts the training threads, and MPI ranks then wait for
    /// each other at every all-reduce (<c>docs/notes/2026-11-26-cpu-runtime-measurements.md#the-view-prefetchers-thread</c>).
    /// </summary>
    public static bool PaysOff(DeviceType device, int trainingThreads, int ranksOnThisMachine, int cores) =>
        device != DeviceType.CPU || (long)trainingThreads * ranksOnThisMachine < cores;

    /// <param name="makeBatch">Batch index → its views (<see cref="ViewBatch"/>); called on the background thread in index order.</param>
    /// <param name="first">Index of the first batch to make (non-zero when resuming inside an epoch).</param>
    /// <param name="end">One past the index of the last batch.</param>
    /// <param name="capacity">Batches made ahead; 0 makes each batch on the caller's thread when it is taken.</param>
    public ViewBatchPrefetcher(Func<int, ViewBatch> makeBatch, int first, int end, int capacity = 2)
    {
        ready = new BlockingCollection<ViewBatch>(Math.Max(1, capacity));
        (this.makeBatch, next, this.end) = (makeBatch, first, end);
        if (capacity == 0)
        {
            inline = true;
            ready.CompleteAdding();
            producer = Task.CompletedTask;
            return;
        }
        producer = Task.Factory.StartNew(() =>
        {
            // one intra-op thread here: at libtorch's default count, training runs saw non-finite gradients far more often
            // (docs/notes/2026-11-26-cpu-runtime-measurements.md#the-view-prefetchers-thread)
            torch.set_num_threads(1);
            try
            {
                for (int b = first; b < end && !cancel.IsCancellationRequested; b++)
                {
                    var views = Make(b);
                    try { ready.Add(views, cancel.Token); }
                    catch (OperationCanceledException) { views.Dispose(); break; }
                }
            }
            finally { ready.CompleteAdding(); }
        }, TaskCreationOptions.LongRunning);
    }

    /// <summary>Batch <paramref name="b"/>, owned by the caller; no collection while it is made inside TorchSharp (see <see cref="NativeCallGate"/>).</summary>
    private ViewBatch Make(int b)
    {
        using (NativeCallGate.Work())
        using (var scope = torch.NewDisposeScope())
            return makeBatch(b).DetachFromDisposeScope();
    }

    /// <summary>The next batch of views, in order; rethrows a failure of the producer.</summary>
    public ViewBatch Next()
    {
        if (inline)
        {
            if (next >= end) throw new InvalidOperationException("the view prefetcher has no more batches");
            return Make(next++);
        }
        try { return ready.Take(cancel.Token); }
        catch (InvalidOperationException) when (ready.IsCompleted)
        {
            producer.GetAwaiter().GetResult();
            throw new InvalidOperationException("the view prefetcher has no more batches");
        }
    }

    public void Dispose()
    {
        cancel.Cancel();
        try { producer.Wait(); } catch (AggregateException) { }
        while (ready.TryTake(out var leftover)) leftover.Dispose();
        ready.Dispose();
        cancel.Dispose();
    }
}
