using static TorchSharp.torch;

namespace SelfSup.Losses;

/// <summary>
/// A self-supervised loss over the projector outputs of a multi-view batch.
/// </summary>
public interface IMultiViewLoss
{
    /// <summary>The method name used on the command line and in run records (e.g. "bt", "vicreg").</summary>
    string Name { get; }

    /// <summary>
    /// Computes the loss for embeddings <paramref name="z"/> of shape N x M x d
    /// (images x views x dims). Returns a differentiable scalar in the dtype of <paramref name="z"/>.
    /// </summary>
    Tensor Forward(Tensor z);
}
