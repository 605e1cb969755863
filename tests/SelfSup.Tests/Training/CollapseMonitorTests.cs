using SelfSup.Training;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Training;

public sealed class CollapseMonitorTests
{
    [Fact]
    public void Spread_is_about_one_for_isotropic_embeddings_and_zero_for_identical_ones()
    {
        var monitor = new CollapseMonitor(threshold: 0.05, steps: 2);
        // isotropic Gaussian directions in d = 64: each coordinate of a unit vector has std 1/√d
        double spread = monitor.Observe(randn(512, 2, 64, generator: new Generator(1)));
        Assert.InRange(spread, 0.95, 1.05);
        var same = ones(512, 2, 64) * tensor(Enumerable.Range(0, 64).Select(k => (float)k).ToArray());
        Assert.Equal(0, monitor.Observe(same), 6);
        Assert.False(monitor.Collapsed);
        monitor.Observe(same);
        Assert.True(monitor.Collapsed);
        monitor.Observe(randn(512, 2, 64));
        Assert.False(monitor.Collapsed);
    }
}
