using SelfSup.Losses;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SelfSup.Tests.Losses;

/// <summary>
/// Parity of every loss with the reference values in tests/SelfSup.Tests/refs (float64 PyTorch with the authors'
/// formulas, cross-checked by two independent implementations): value in float64 and float32, and
/// dLoss/dZ in float64 where a reference gradient exists.
/// </summary>
public sealed class LossParityTests
{
    private const double Float64ValueTol = 1e-5;
    private const double Float32ValueTol = 1e-4;
    private const double GradientTol = 1e-5;

    private readonly ITestOutputHelper _output;

    public LossParityTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Entries() =>
        RefsLocator.Entries.Select((e, i) => new object[] { i, e.Label });

    /// <summary>The loss a refs.json entry was computed with ("bt-nonorm" = bt without L2 normalisation).</summary>
    internal static IMultiViewLoss LossFor(RefEntry e) => e.Method switch
    {
        "bt" => new MultiViewBarlowTwinsLoss(e.Lambda, normalize: true),
        "bt-nonorm" => new MultiViewBarlowTwinsLoss(e.Lambda, normalize: false),
        "bt-official" => new OfficialBarlowTwinsLoss(e.Lambda),
        "vicreg" => new MultiViewVicRegLoss(e.Lambda, e.Mu, e.Nu),
        "vicreg-official" => new OfficialVicRegLoss(e.Lambda, e.Mu, e.Nu),
        _ => throw new InvalidOperationException($"refs.json has an unknown method '{e.Method}'; update LossParityTests.LossFor."),
    };

    [Theory]
    [MemberData(nameof(Entries))]
    public void MatchesReference(int index, string label)
    {
        using var scope = NewDisposeScope();
        var entry = RefsLocator.Entries[index];
        var loss = LossFor(entry);
        var input = RefsLocator.Load(entry.File);
        Assert.Equal(entry.Shape, input.shape);

        // float64: value and gradient
        var z64 = input.to(float64).detach().requires_grad_(true);
        var value64 = loss.Forward(z64);
        Assert.Equal(ScalarType.Float64, value64.dtype);
        Assert.Equal(0, value64.dim());
        double rel64 = RelativeError(value64.item<double>(), entry.Value);
        Assert.True(rel64 <= Float64ValueTol, $"{label}: float64 value {value64.item<double>():R} vs reference {entry.Value:R} (relative error {rel64:E2}).");

        // float32: value against PyTorch's own float32 result when available
        var z32 = input.to(float32);
        var value32 = loss.Forward(z32);
        Assert.Equal(ScalarType.Float32, value32.dtype);
        double expected32 = entry.ValueFloat32 ?? entry.Value;
        double rel32 = RelativeError(value32.item<float>(), expected32);
        Assert.True(rel32 <= Float32ValueTol, $"{label}: float32 value {value32.item<float>():R} vs reference {expected32:R} (relative error {rel32:E2}).");

        double relGrad = double.NaN;
        if (entry.GradFile is not null)
        {
            value64.backward();
            var grad = z64.grad!;
            var reference = RefsLocator.Load(entry.GradFile);
            Assert.Equal(reference.shape, grad.shape);
            double maxDiff = (grad - reference).abs().max().item<double>();
            double maxRef = reference.abs().max().item<double>();
            relGrad = maxDiff / maxRef;
            Assert.True(relGrad <= GradientTol, $"{label}: gradient max|diff| / max|ref| = {relGrad:E2} (> {GradientTol:E0}).");
        }
        _output.WriteLine($"PARITY {label}: rel64={rel64:E2} rel32={rel32:E2} relGrad={relGrad:E2}");
    }

    [Fact]
    public void EveryMethodInRefsIsCovered()
    {
        var methods = RefsLocator.Entries.Select(e => e.Method).Distinct().OrderBy(m => m).ToArray();
        Assert.Equal(new[] { "bt", "bt-nonorm", "bt-official", "vicreg", "vicreg-official" }, methods);
        Assert.True(RefsLocator.Entries.Count >= 51, $"expected at least 51 reference entries, found {RefsLocator.Entries.Count}");
        // every view count the paper uses, and reference gradients for each of them
        var views = RefsLocator.Entries.Select(e => e.Shape[1]).Distinct().OrderBy(v => v).ToArray();
        Assert.Equal(new long[] { 2, 4, 8 }, views);
        Assert.Equal(views, RefsLocator.Entries.Where(e => e.GradFile is not null).Select(e => e.Shape[1]).Distinct().OrderBy(v => v).ToArray());
    }

    private static double RelativeError(double actual, double expected) =>
        Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-30);
}
