namespace SelfSup.Models;

/// <summary>
/// The arithmetic an encoder's forward pass uses. Master weights, optimiser state, BatchNorm running statistics,
/// the loss and the probe's classifier are fp32 in every mode.
/// </summary>
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    Fp32,
    /// <summary>The backbone's convolutions in bfloat16 under libtorch's autocast (<see cref="Autocast"/>); the projector runs in fp32 (<see cref="Encoder.Precision"/>).</summary>
    Bf16,

    /// <summary>
    /// Weights, activations, optimiser state and loss in float64: for exactness checks (data-parallel runs against one
    /// process step by step), not for speed. Checkpoints hold float64 weights; readouts and exports load them as fp32.
    /// </summary>
    Fp64,
}
