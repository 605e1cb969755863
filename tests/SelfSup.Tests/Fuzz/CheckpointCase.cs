namespace SelfSup.Tests.Fuzz;

/// <summary>
/// One checkpoint fuzz case: the run (by its optimiser) whose checkpoints are damaged, the edits (the first names the
/// file a loader's error must name), the mutation for the report, and for hand-written cases the words
/// <see cref="SelfSup.Training.Checkpoint.Problem"/> must give (null: no expectation; empty: it must find no problem).
/// </summary>
public sealed record CheckpointCase(string Optimizer, IReadOnlyList<CheckpointEdit> Edits, Mutation Mutation, string? ExpectProblem = null);
