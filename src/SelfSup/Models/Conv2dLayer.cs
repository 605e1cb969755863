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
    /// Channel block of libtorch 2.10's CPU (oneDNN) convolutions here: kernels are laid out in blocks of 16 output ×
    /// 16 input channels, and two of its passes read the padding of a narrower block without initialising it.
    /// Output channels of a CPU convolution whose input gradient is needed are computed in multiples of this;
    /// input channels above 16 must be a multiple of it (<see cref="CpuSafeInputChannels"/>).
    /// <para>
    /// Why: libtorch 2.10's oneDNN backward-data pass lays the kernel out in blocks of 16 output × 16 input channels and
    /// leaves the padding of a narrower kernel uninitialised. It multiplies that padding by zeros, which is harmless
    /// unless the recycled heap bytes there spell a NaN or ±inf (freed uint8 images are full of 0xFF), and then the
    /// whole input gradient is NaN. Measured here (2026-11-26): with every fresh heap block filled with 0xFF
    /// (an LD_PRELOAD malloc shim), <c>conv2d</c>'s input gradient was non-finite for 1, 4, 8, 12 and 24 output
    /// channels and finite for 16 and 32, whatever the input channels; filling only blocks of ≥ 9,217 bytes cured
    /// 8→8 channels 3×3, whose padded 16×16×3×3 fp32 kernel is 9,216 bytes. Without the shim, freeing 0xFF-filled
    /// 9 KB blocks just before the call gave NaN in 19 of 20 calls. Finite garbage gave exactly the right gradient.
    /// This was the rare "non-finite gradient from finite inputs" of width-8 training runs.
    /// </para>
    /// <para>
    /// So such a layer convolves with W padded by zero filters to a multiple of 16 and keeps the first
    /// out-channels of the result: the same output, and the padded gradient rows are zeros (0 of 20 NaN in the same
    /// test). The cost is the padded filters' arithmetic, in layers narrower than 16 channels only: the width-8
    /// ResNet-18 step (<c>bench step --width 8 --image 28 --channels 1 --proj-dim 16 --batch 256</c>, 3 alternating rounds)
    /// went from a median of 1,455 to 1,220 image-views/s (0.84×).
    /// </para>
    /// <para>
    /// Under bf16 autocast the forward pass itself is wrong for such layers, deterministically and with or without
    /// gradients: measured here (2026-11-26, 32×C×28×28 inputs, 3×3 kernels), the largest error against the fp64
    /// convolution of the bf16-rounded operands was 79 % of the output's range for 1→8 channels, 35 % for 8→8 NCHW, 26 %
    /// for 16→8 NCHW and 63–93 % for 1→2, 4, 12 and 24, against 0.2–0.3 % for 16, 32 and 48 output channels and for
    /// 1×1 kernels. (NHWC inputs with more than one channel were right.) A width-8 encoder's bf16 features were 40 % away
    /// from its fp32 features; width 16's, 0.9 %. So under autocast such a layer is padded too, in every mode.
    /// </para>
    /// </summary>
    public const long CpuChannelBlock = 16;

    /// <summary>
    /// Whether the CPU forward pass is sound for this many input channels: at most one block, or whole blocks.
    /// Measured here (2026-11-26, same 0xFF heap fill as <see cref="CpuChannelBlock"/>): a 3×3 <c>conv2d</c>'s output
    /// was non-finite for 18, 20, 24, 28, 40, 56 and 72 input channels, finite for 1–16, 32, 48 and 80. Padding
    /// activations with zero channels would cost every layer, so models with such layers are refused on the CPU.
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
