namespace SelfSup.Experiments;

/// <summary>A cell that failed, with the reason.</summary>
public sealed record CellFailure(string Name, string Message);
