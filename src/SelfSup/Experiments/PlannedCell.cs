namespace SelfSup.Experiments;

/// <summary>A cell with its folder, status and relative cost (views × fraction × epochs, for the time estimate).</summary>
public sealed record PlannedCell(SweepCell Cell, string Path, CellStatus Status, double Cost);
