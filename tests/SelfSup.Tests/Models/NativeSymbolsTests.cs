using System.Runtime.InteropServices;
using SelfSup.Models;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Models;

/// <summary>The libtorch symbols SelfSup binds resolve in the libtorch it ships with, and a missing one is a clear message.</summary>
public sealed class NativeSymbolsTests
{
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern nint Present();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at17no_such_symbol_in_libtorchEv")]
    private static extern void Absent();

    [Fact]
    public void A_missing_symbol_is_named_with_its_library()
    {
        Assert.Null(NativeSymbols.Missing(typeof(NativeSymbolsTests), nameof(Present)));
        Assert.Equal("libtorch_cpu does not export _ZN2at17no_such_symbol_in_libtorchEv (EntryPointNotFoundException)",
            NativeSymbols.Missing(typeof(NativeSymbolsTests), nameof(Present), nameof(Absent)));
    }

    [Fact]
    public void Every_binding_resolves_in_the_shipped_libtorch()
    {
        Autocast.EnsureAvailable();
        Assert.True(DeviceSettings.IsAvailable);
        Assert.True(FusedAdamKernel.IsAvailable);
        Assert.False(DeviceSettings.MatmulTf32);       // libtorch's default, as PyTorch's: matmuls in full fp32
        bool before = DeviceSettings.CudnnBenchmark;
        DeviceSettings.CudnnBenchmark = !before;
        Assert.Equal(!before, DeviceSettings.CudnnBenchmark);
        DeviceSettings.CudnnBenchmark = before;
    }
}
