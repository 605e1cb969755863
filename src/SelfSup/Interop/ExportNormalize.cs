namespace SelfSup.Interop;

/// <summary>Per-channel input normalisation x' = (x − mean) / std on images scaled to [0, 1].</summary>
public sealed record ExportNormalize(float[] Mean, float[] Std);
