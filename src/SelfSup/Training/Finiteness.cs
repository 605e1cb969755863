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
    /// <summary>Whether every gradient is finite: Σ_p Σ_i g_pi is finite exactly when no entry is NaN or ±∞ (barring overflow of the sum).</summary>
    public static bool OfGradients(Encoder encoder)
    {
        using var scope = torch.NewDisposeScope();
        var sums = encoder.parameters().Where(p => p.grad is not null).Select(p => p.grad!.sum().to(ScalarType.Float64)).ToArray();
        return sums.Length == 0 || double.IsFinite(torch.stack(sums).sum().item<double>());
    }

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
