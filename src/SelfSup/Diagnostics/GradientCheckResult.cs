namespace SelfSup.Diagnostics;

/// <summary>How far the data-parallel gradient is from the single-process one (<see cref="GradientCheck.Run"/>).</summary>
/// <param name="Loss">The global loss as the ranks computed it.</param>
/// <param name="SingleLoss">The same loss computed by one process on the whole batch.</param>
/// <param name="MaxRelativeError">max over parameters p of ‖g_dp,p − g_1,p‖ / max(‖g_1,p‖, 10⁻⁶‖g_1‖).</param>
/// <param name="WorstParameter">The parameter with that largest error.</param>
/// <param name="PlainNormRatio">‖g‖ with a plain (non-differentiated) all-reduce over ‖g_1‖: 1/R is the lightly #1977 trap.</param>
public sealed record GradientCheckResult(double Loss, double SingleLoss, double MaxRelativeError, string WorstParameter, double PlainNormRatio);
