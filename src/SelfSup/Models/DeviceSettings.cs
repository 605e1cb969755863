using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Models;

/// <summary>
/// libtorch's process-wide backend switches that TorchSharp 0.107 does not wrap, reached through the C++ symbols
/// libtorch_cpu exports (<c>at::globalContext()</c> and its <c>at::Context</c> members): cuDNN's autotuner
/// (<c>torch.backends.cudnn.benchmark</c>) and whether cuBLAS matmuls may use TF32 (<c>torch.backends.cuda.matmul.allow_tf32</c>).
/// TF32 stays at PyTorch's defaults (cuDNN convolutions in TF32, matmuls in full fp32), which libtorch shares.
/// </summary>
public static class DeviceSettings
{
    private const string Lib = "libtorch_cpu";

    [DllImport(Lib, EntryPoint = "_ZN2at13globalContextEv")]
    private static extern nint GlobalContext();

    [DllImport(Lib, EntryPoint = "_ZN2at7Context17setBenchmarkCuDNNEb")]
    private static extern void SetBenchmarkCuDNN(nint context, [MarshalAs(UnmanagedType.U1)] bool on);

    [DllImport(Lib, EntryPoint = "_ZNK2at7Context14benchmarkCuDNNEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool BenchmarkCuDNN(nint context);

    [DllImport(Lib, EntryPoint = "_ZNK2at7Context15allowTF32CuBLASEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool AllowTF32CuBLAS(nint context);

    private static readonly string[] Bound = [nameof(GlobalContext), nameof(SetBenchmarkCuDNN), nameof(BenchmarkCuDNN), nameof(AllowTF32CuBLAS)];
    private static readonly Lazy<string?> BindError = new(() => NativeSymbols.Missing(typeof(DeviceSettings), Bound) is { } missing
        ? $"{missing}; this libtorch ({torch.__version__}) is not the one SelfSup was built against (2.10)"
        : null);

    /// <summary>Whether this libtorch exports the switches.</summary>
    public static bool IsAvailable => BindError.Value is null;

    /// <summary>cuDNN's autotuner: on, each new convolution shape is timed once over cuDNN's algorithms and the fastest kept.</summary>
    /// <exception cref="SelfSupError">This libtorch lacks the symbols.</exception>
    public static bool CudnnBenchmark
    {
        get { Ensure(); return BenchmarkCuDNN(GlobalContext()); }
        set { Ensure(); SetBenchmarkCuDNN(GlobalContext(), value); }
    }

    /// <summary>Whether fp32 matmuls may run in TF32 (PyTorch's default: no).</summary>
    public static bool MatmulTf32 { get { Ensure(); return AllowTF32CuBLAS(GlobalContext()); } }

    /// <summary>
    /// Settings for training on <paramref name="device"/>: on CUDA the autotuner goes on, since training repeats the same
    /// shapes every step (the first step pays for the timing). Nothing changes on the CPU, nor where the symbols are missing.
    /// </summary>
    public static void ForTraining(Device device)
    {
        if (device.type == DeviceType.CUDA && IsAvailable) CudnnBenchmark = true;
    }

    private static void Ensure()
    {
        if (BindError.Value is { } error) throw new SelfSupError(error);
    }
}
