using System.Collections.Concurrent;
using SelfSup.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// The input pipeline of one epoch: a background thread gathers batch b+1, b+2, … (up to
/// <c>capacity</c> ahead) and draws their views while the trainer runs step b, so view generation
/// overlaps the optimiser step (what FFCV's loaders give the authors' code). Batches come out in order
/// and the generator is used in the same sequence as a synchronous loop, so results are identical.
/// The caller owns (and disposes) each views tensor it takes.
/// </summary>
public sealed class ViewBatchPrefetcher : IDisposable
{
    private readonly BlockingCollection<Tensor> ready;
    private readonly CancellationTokenSource cancel = new();
    private readonly Task producer;

    /// <param name="order">Image indices of the epoch in visiting order.</param>
    /// <param name="batches">Number of batches of <paramref name="batchSize"/> to produce.</param>
    public ViewBatchPrefetcher(ImageDataset data, int[] order, int batchSize, int batches, ViewSampler sampler,
        torch.Generator generator, int capacity = 2)
    {
        ready = new BlockingCollection<Tensor>(Math.Max(1, capacity));
        producer = Task.Factory.StartNew(() =>
        {
            try
            {
                for (int b = 0; b < batches && !cancel.IsCancellationRequested; b++)
                {
                    Tensor views;
                    using (var scope = torch.NewDisposeScope())
                    {
                        var images = data.Gather(order.AsSpan(b * batchSize, batchSize));
                        views = sampler.Sample(images, generator).DetachFromDisposeScope();
                    }
                    try { ready.Add(views, cancel.Token); }
                    catch (OperationCanceledException) { views.Dispose(); break; }
                }
            }
            finally { ready.CompleteAdding(); }
        }, TaskCreationOptions.LongRunning);
    }

    /// <summary>The next batch of views (N×M×C×S×S), in order; rethrows a failure of the producer.</summary>
    public Tensor Next()
    {
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
