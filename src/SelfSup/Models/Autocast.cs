using System.Runtime.InteropServices;
using TorchSharp;

namespace SelfSup.Models;

/// <summary>
/// libtorch's automatic mixed precision, which TorchSharp 0.107 does not wrap, switched on through the C++ functions
/// libtorch_cpu exports (<c>at::autocast::set_autocast_enabled</c>, <c>set_autocast_dtype</c>,
/// <c>is_autocast_enabled</c>, <c>clear_cache</c>) — the same switch <c>torch.autocast</c> flips in PyTorch.
/// While it is on, convolutions, linear layers and matmuls cast their inputs to bf16 and run in bf16; ops on
/// libtorch's fp32 list run in fp32; the rest run in their input's type (BatchNorm takes bf16 activations with fp32
/// weights and running statistics). Backward follows the dtypes the forward recorded, so gradients reach the fp32
/// master weights through the casts.
/// <para>
/// The switch is per thread (libtorch keeps it in thread-local dispatch state): a <see cref="Scope"/> affects only the
/// thread that opened it; threads started elsewhere — the view prefetcher — never see it. Casts of leaf weights are
/// cached while it is on; closing the outermost scope clears that cache, as PyTorch does on leaving autocast.
/// </para>
/// </summary>
public static class Autocast
{
    private const string Lib = "libtorch_cpu";

    // c10::DeviceType and c10::ScalarType are int8_t enums; C++ bool is one byte.
    [DllImport(Lib, EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
    private static extern void SetEnabled(sbyte device, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport(Lib, EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool IsEnabledNative(sbyte device);

    [DllImport(Lib, EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
    private static extern void SetDtype(sbyte device, sbyte dtype);

    [DllImport(Lib, EntryPoint = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE")]
    private static extern sbyte GetDtype(sbyte device);

    [DllImport(Lib, EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
    private static extern void ClearCache();

    private static readonly string[] Bound = [nameof(SetEnabled), nameof(IsEnabledNative), nameof(SetDtype), nameof(GetDtype), nameof(ClearCache)];
    private static readonly Lazy<string?> BindError = new(TryBind);

    /// <summary>
    /// Resolves every native function now (<see cref="Marshal.Prelink"/>); throws a <see cref="SelfSupError"/> naming
    /// the missing symbol when this libtorch does not export it (a future libtorch may rename them).
    /// </summary>
    public static void EnsureAvailable()
    {
        if (BindError.Value is { } error) throw new SelfSupError(error);
    }

    private static string? TryBind() => NativeSymbols.Missing(typeof(Autocast), Bound) is { } missing
        ? $"`precision` bf16 needs libtorch's autocast, but {missing}; this TorchSharp/libtorch build ({torch.__version__}) is not the one SelfSup was built against (0.107 / libtorch 2.10): use `precision` fp32"
        : null;

    /// <summary>Whether autocast is on for <paramref name="device"/> on the calling thread.</summary>
    public static bool IsEnabled(DeviceType device = DeviceType.CPU)
    {
        EnsureAvailable();
        return IsEnabledNative((sbyte)device);
    }

    /// <summary>
    /// Whether autocast is on for <paramref name="device"/> on the calling thread, without requiring the symbols: false
    /// where this libtorch lacks them (then no scope can have turned it on). For checks on every call of a layer.
    /// </summary>
    public static bool IsOn(DeviceType device = DeviceType.CPU) => BindError.Value is null && IsEnabledNative((sbyte)device);

    /// <summary>The lower-precision type autocast uses on <paramref name="device"/> for the calling thread.</summary>
    public static torch.ScalarType Dtype(DeviceType device = DeviceType.CPU)
    {
        EnsureAvailable();
        return (torch.ScalarType)GetDtype((sbyte)device);
    }

    /// <summary>
    /// Runs the calling thread's ops on <paramref name="device"/> under autocast in <paramref name="precision"/> until
    /// disposed (fp32: nothing changes). Scopes nest; the outermost restores the previous state and clears the cast cache.
    /// </summary>
    public static Scope Enter(Precision precision, DeviceType device = DeviceType.CPU)
    {
        if (precision != Precision.Bf16) return default;
        EnsureAvailable();
        sbyte d = (sbyte)device;
        bool wasEnabled = IsEnabledNative(d);
        sbyte previousDtype = GetDtype(d);
        SetDtype(d, (sbyte)torch.ScalarType.BFloat16);
        SetEnabled(d, true);
        return new Scope(d, wasEnabled, previousDtype);
    }

    /// <summary>An open autocast region on one thread (see <see cref="Enter"/>).</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly sbyte device, previousDtype;
        private readonly bool wasEnabled, active;

        internal Scope(sbyte device, bool wasEnabled, sbyte previousDtype)
        {
            this.device = device; this.wasEnabled = wasEnabled; this.previousDtype = previousDtype; active = true;
        }

        public void Dispose()
        {
            if (!active) return;
            SetEnabled(device, wasEnabled);
            SetDtype(device, previousDtype);
            if (!wasEnabled) ClearCache();
        }
    }
}
