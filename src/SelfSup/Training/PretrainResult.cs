using SelfSup.Models;

namespace SelfSup.Training;

/// <summary>The outcome of <see cref="Pretrainer.Run"/>.</summary>
public sealed record PretrainResult(Encoder Encoder, TrainingState State, string? CheckpointDir);
