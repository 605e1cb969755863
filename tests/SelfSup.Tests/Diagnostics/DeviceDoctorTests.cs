using SelfSup.Diagnostics;
using Xunit;

namespace SelfSup.Tests.Diagnostics;

public sealed class DeviceDoctorTests
{
    private static void AllPass(string device)
    {
        using var dir = new TempDir();
        var checks = DeviceDoctor.Run(device, dir.Path);
        Assert.Equal(8, checks.Count);
        Assert.All(checks, c => Assert.True(c.Ok, $"{c.Name}: {c.Detail}"));
    }

    [Fact]
    public void Every_check_passes_on_the_cpu() => AllPass("cpu");

    [CudaFact]
    [Trait("Category", "CUDA")]
    public void Every_check_passes_on_the_gpu() => AllPass("cuda");

    [Fact]
    public void An_unavailable_device_fails_the_first_check_with_the_fix_and_stops()
    {
        if (TorchSharp.torch.cuda.is_available()) return;   // the case needs a machine without CUDA
        var checks = DeviceDoctor.Run("cuda");
        var only = Assert.Single(checks);
        Assert.False(only.Ok);
        Assert.Contains("use `device` cpu", only.Detail);
    }
}
