using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// One batch's views: <see cref="Full"/>, N×M×C×S×S, and with multi-crop <see cref="Small"/>, N×K×C×s×s
/// (<see cref="SmallCrops"/>). The owner disposes both.
/// </summary>
public sealed class ViewBatch(Tensor full, Tensor? small = null) : IDisposable
{
    public Tensor Full { get; } = full;
    public Tensor? Small { get; } = small;

    /// <summary>Takes both tensors out of the current dispose scope (the batch outlives the step that made it).</summary>
    public ViewBatch DetachFromDisposeScope()
    {
        Full.DetachFromDisposeScope();
        Small?.DetachFromDisposeScope();
        return this;
    }

    public void Dispose()
    {
        Full.Dispose();
        Small?.Dispose();
    }
}
