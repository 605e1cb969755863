namespace SelfSup.Reports;

/// <summary>What the runs say about one of the paper's claims.</summary>
public enum ClaimVerdict { Held, NotHeld, NotSeparable, NoSpread }
