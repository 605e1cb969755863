namespace SelfSup.Tests.Fuzz;

/// <summary>One mutated input: its bytes, the kind of mutation (for the per-kind counts) and what exactly was done.</summary>
public sealed record Mutation(byte[] Bytes, string Kind, string Description);
