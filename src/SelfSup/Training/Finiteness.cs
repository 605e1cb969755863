using SelfSup.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Whether a training step's numbers are finite, and where they stop being so: the trainer's check after every
/// backward (a non-finite gradient is recomputed once, then reported; see <see cref="Pretrainer"/>).
/// </summary>
public static class Finiteness
{
    /// <summary>
    /// Σ of every gradient as a one-element float64 tensor on their device: finite exactly when no gradient entry is NaN
    /// or ±∞ (barring overflow of the sum). A tensor, so the trainer reads it with the step's other numbers in one sync.
    /// </summary>
    public static Tensor GradientSum(FlatParameters flat) => flat.Grad.sum(ScalarType.Float64);

    /// <summary>Where non-finite values first appear, for the divergence message: the views, the embeddings, the weights.</summary>
    public static string Describe(Tensor views, Tensor z, Encoder encoder)
    {
        static string Yes(bool ok) => ok ? "finite" : "NOT finite";
        bool weights = encoder.parameters().All(p => p.isfinite().all().item<bool>());
        var badGradients = encoder.named_parameters().Where(p => p.parameter.grad is { } g && !g.isfinite().all().item<bool>()).Select(p => p.name).ToList();
        return $"views {Yes(views.isfinite().all().item<bool>())}, embeddings {Yes(z.isfinite().all().item<bool>())}, weights {Yes(weights)}" +
            (badGradients.Count == 0 ? "" : $", non-finite gradients in {badGradients.Count} of {encoder.parameters().Count()} parameters: {string.Join(", ", badGradients.Take(3))}{(badGradients.Count > 4 ? ", …" : "")}{(badGradients.Count > 3 ? $", {badGradients[^1]}" : "")}");
    }
}
