namespace SelfSup.Experiments;

/// <summary>Where a sweep cell stands: not started, interrupted (resumable), or finished (pretrained and read out).</summary>
public enum CellStatus { New, Partial, Done }
