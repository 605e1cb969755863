namespace SelfSup.Training;

/// <summary>A checkpoint file's size in bytes and SHA-256 (lower-case hex), recorded in <c>state.json</c> and checked on load.</summary>
public sealed record CheckpointFile(long Size, string Sha256);
