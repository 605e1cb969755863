using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// libtorch's fused Adam (<c>at::_ops::_fused_adam_::call</c>, what <c>torch.optim.Adam(fused=True)</c> runs), which
/// TorchSharp 0.107 does not wrap, bound through the C++ symbol libtorch_cpu exports. One call updates every listed
/// parameter, both moments and nothing else in one pass (one kernel on a GPU): with flat storage
/// (<see cref="FlatParameters"/>) that is one kernel for the whole model. Same rule as <c>torch.optim.Adam</c>
/// (L2 weight decay added to the gradient; bias corrections from the step count held in <c>step</c>).
/// </summary>
public static unsafe class FusedAdamKernel
{
    private const string Lib = "libtorch_cpu";
    private const string Symbol = "_ZN2at4_ops12_fused_adam_4callEN3c108ArrayRefINS_6TensorEEES5_S5_S5_S5_S5_dddddbbRKSt8optionalIS4_ES9_";

    /// <summary><c>c10::ArrayRef&lt;at::Tensor&gt;</c>: a pointer to consecutive <c>at::Tensor</c>s (one TensorImpl pointer each) and a count.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TensorList { public nint Data; public nuint Length; }

    /// <summary><c>std::optional&lt;at::Tensor&gt;</c>: the tensor, then the engaged flag; all zeros is nullopt.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OptionalTensor { public nint Tensor; public long Engaged; }

    [DllImport(Lib, EntryPoint = Symbol)]
    private static extern void FusedAdam(TensorList self, TensorList grads, TensorList expAvgs, TensorList expAvgSqs,
        TensorList maxExpAvgSqs, TensorList stateSteps, double lr, double beta1, double beta2, double weightDecay, double eps,
        [MarshalAs(UnmanagedType.U1)] bool amsgrad, [MarshalAs(UnmanagedType.U1)] bool maximize, OptionalTensor* gradScale, OptionalTensor* foundInf);

    private static readonly Lazy<string?> BindError = new(() => Models.NativeSymbols.Missing(typeof(FusedAdamKernel), nameof(FusedAdam)) is { } missing
        ? $"{missing}; this libtorch ({torch.__version__}) is not the one SelfSup was built against (2.10)"
        : null);

    /// <summary>Whether this libtorch exports the kernel (when not, <see cref="FlatAdam"/> runs the same rule as separate ops).</summary>
    public static bool IsAvailable => BindError.Value is null;

    /// <summary>Whether the kernel takes tensors of this type on this device.</summary>
    public static bool Supports(ScalarType dtype, DeviceType device) =>
        device is DeviceType.CPU or DeviceType.CUDA && dtype is ScalarType.Float32 or ScalarType.Float64;

    /// <summary>
    /// One Adam step of <paramref name="param"/> from <paramref name="grad"/>, updating the moments in place:
    /// all four contiguous, of one type and device, and <paramref name="step"/> a one-element float32 tensor on that
    /// device holding the step number t ≥ 1 (already counted).
    /// </summary>
    /// <exception cref="SelfSupError">The symbol is missing, or the tensors do not meet the kernel's terms (checked here:
    /// libtorch's own checks would throw a C++ exception through this call, which ends the process).</exception>
    public static void Step(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor step,
        double lr, double beta1, double beta2, double weightDecay, double eps)
    {
        if (BindError.Value is { } error) throw new SelfSupError(error);
        Tensor[] same = [param, grad, expAvg, expAvgSq];
        if (!Supports(param.dtype, param.device_type) || same.Any(t => t.dtype != param.dtype || t.device_type != param.device_type || t.device_index != param.device_index || !t.is_contiguous() || t.numel() != param.numel()))
            throw new SelfSupError($"fused Adam needs contiguous float32/float64 tensors of one shape, type and device; got {string.Join(", ", same.Select(t => $"{t.dtype}[{t.numel()}]@{t.device}"))}");
        if (step.dtype != ScalarType.Float32 || step.numel() != 1 || step.device_type != param.device_type || step.device_index != param.device_index)
            throw new SelfSupError($"fused Adam needs its step count as one float32 on {param.device}; got {step.dtype}[{step.numel()}]@{step.device}");
        // an at::Tensor is one TensorImpl pointer; TorchSharp's handle points at an at::Tensor
        nint* impls = stackalloc nint[5];
        Tensor[] all = [param, grad, expAvg, expAvgSq, step];
        for (int i = 0; i < 5; i++) impls[i] = Marshal.ReadIntPtr(all[i].Handle);
        TensorList One(int i) => new() { Data = (nint)(impls + i), Length = 1 };
        OptionalTensor none = default;
        FusedAdam(One(0), One(1), One(2), One(3), default, One(4), lr, beta1, beta2, weightDecay, eps, false, false, &none, &none);
        GC.KeepAlive(all);
    }
}
