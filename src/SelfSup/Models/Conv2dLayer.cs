using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Models;

/// <summary>
/// A bias-free 2-D convolution y = W ⋆ x (parameter <c>weight</c>, out×in×k×k, as in PyTorch's Conv2d)
/// that can run channels-last: with <see cref="ChannelsLast"/> set (or a channels-last input) it convolves
/// with a channels-last copy of W, so libtorch's NHWC kernels run and the output stays NHWC for the next
/// layer. The parameter itself stays contiguous, so checkpoints, optimisers and PyTorch interop see an
/// ordinary tensor; the copy of W per call is small next to the convolution.
/// </summary>
public sealed class Conv2dLayer : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly long[] stride, padding;

    public Conv2dLayer(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0) : base(nameof(Conv2dLayer))
    {
        weight = new Parameter(torch.empty(outChannels, inChannels, kernel, kernel));
        init.kaiming_normal_(weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
        this.stride = [stride, stride];
        this.padding = [padding, padding];
        RegisterComponents();
    }

    public Parameter Weight => weight;

    /// <summary>Convolve in NHWC layout (set for a whole model with <see cref="MemoryLayout.UseChannelsLast"/>).</summary>
    public bool ChannelsLast { get; set; }

    /// <summary>
    /// Channel block of libtorch 2.10's CPU (oneDNN) convolutions: kernels are laid out in blocks of 16 output × 16
    /// input channels. On the CPU, a convolution whose input gradient is needed, or that runs under bf16 autocast,
    /// computes its output channels in multiples of this (W padded with zero filters, the extra outputs dropped).
    /// Why: two of oneDNN's passes read the padding of a narrower block uninitialised, which turns the input gradient
    /// into NaN when recycled heap bytes spell one, and bf16 forwards are wrong for such layers
    /// (<c>docs/notes/2026-11-26-cpu-runtime-measurements.md#convolution-channel-blocks</c>).
    /// </summary>
    public const long CpuChannelBlock = 16;

    /// <summary>
    /// Whether the CPU forward pass is sound for this many input channels: at most one block, or whole blocks (other
    /// counts read uninitialised kernel memory; padding every activation would cost every layer, so such models are refused).
    /// </summary>
    public static bool CpuSafeInputChannels(long channels) => channels <= CpuChannelBlock || channels % CpuChannelBlock == 0;

    public override Tensor forward(Tensor x)
    {
        // on the CPU an NHWC kernel copy makes oneDNN run NHWC; cuDNN goes NHWC for an NHWC input by itself and
        // relays the kernel inside the call, where autocast's cache of the bf16 weight still applies
        bool nhwc = (ChannelsLast || MemoryLayout.IsChannelsLast(x)) && x.device_type == DeviceType.CPU;
        long outChannels = weight.shape[0];
        bool pad = outChannels % CpuChannelBlock != 0 && x.device_type == DeviceType.CPU
            && (x.requires_grad && torch.is_grad_enabled() || Autocast.IsOn(DeviceType.CPU));
        if (!nhwc && !pad) return functional.conv2d(x, weight, null, stride, padding);

        using var padded = pad ? PaddedWeight(outChannels) : null;
        using var nhwcKernel = nhwc ? MemoryLayout.ChannelsLast(padded ?? weight) : null;
        var y = functional.conv2d(x, nhwcKernel ?? padded ?? weight, null, stride, padding);
        if (!pad) return y;
        using (y)
        using (var kept = y.narrow(1, 0, outChannels))
            return nhwc ? MemoryLayout.ChannelsLast(kept) : kept.contiguous();
    }

    /// <summary>W with zero filters appended up to the next multiple of <see cref="CpuChannelBlock"/> output channels.</summary>
    private Tensor PaddedWeight(long outChannels)
    {
        long extra = CpuChannelBlock - outChannels % CpuChannelBlock;
        using var zeros = torch.zeros(extra, weight.shape[1], weight.shape[2], weight.shape[3], weight.dtype, weight.device);
        return torch.cat([weight, zeros], 0);
    }
}
