namespace SelfSup.Tests.Fuzz;

/// <summary>
/// One change to one file of a checkpoint in a fuzz case: <paramref name="Checkpoint"/> is the folder name
/// (<see cref="CheckpointFuzzFixture.Older"/> or <see cref="CheckpointFuzzFixture.Newest"/>), <paramref name="File"/>
/// model.bin, optimizer.bin or state.json, <paramref name="Bytes"/> its new content, or null to delete it.
/// </summary>
public sealed record CheckpointEdit(string Checkpoint, string File, byte[]? Bytes);
