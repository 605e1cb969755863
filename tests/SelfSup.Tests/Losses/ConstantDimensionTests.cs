using SelfSup.Losses;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Losses;

/// <summary>A dimension constant over the batch must not make a loss or its gradient NaN.</summary>
public sealed class ConstantDimensionTests
{
    public static TheoryData<string, int> Cases() => new()
    {
        { "bt", 2 }, { "bt", 4 }, { "bt-pairwise", 4 }, { "vicreg", 2 }, { "vicreg", 4 }, { "bt-official", 2 }, { "vicreg-official", 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_gradient_stay_finite(string method, int views)
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var scope = NewDisposeScope();
            var z = randn(new long[] { 16, views, 8 }, dtype: dtype, generator: new Generator(5));
            z[.., .., 3] = tensor(2.5, dtype: dtype);         // constant over samples and views
            z = z.detach().requires_grad_(true);
            foreach (bool normalize in new[] { true, false })
            {
                var loss = LossFactory.Create(method, 0.125, 25, normalize).Forward(z);
                Assert.True(double.IsFinite(loss.to(float64).item<double>()), $"{method} M={views} {dtype} normalize={normalize}: loss {loss.to(float64).item<double>()}");
                z.grad?.zero_();
                loss.backward();
                Assert.True(z.grad!.isfinite().all().item<bool>(), $"{method} M={views} {dtype} normalize={normalize}: gradient not finite");
            }
        }
    }

    [Fact]
    public void A_constant_dimension_contributes_exactly_one_to_the_bt_invariance_term()
    {
        // standardised to 0 on every view, its agreement is 0 and (1 − 0)² = 1: compare a batch with and without it
        using var scope = NewDisposeScope();
        var z = randn(new long[] { 32, 2, 4 }, dtype: ScalarType.Float64, generator: new Generator(2));
        var withConstant = cat(new[] { z, full(new long[] { 32, 2, 1 }, 7.0, dtype: ScalarType.Float64) }, 2);
        var loss = new MultiViewBarlowTwinsLoss(0, normalize: false);
        Assert.Equal(loss.Forward(z).item<double>() + 1, loss.Forward(withConstant).item<double>(), 9);
    }
}
