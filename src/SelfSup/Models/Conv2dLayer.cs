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

    public override Tensor forward(Tensor x)
    {
        if (!ChannelsLast && !MemoryLayout.IsChannelsLast(x)) return functional.conv2d(x, weight, null, stride, padding);
        using var kernel = MemoryLayout.ChannelsLast(weight);
        return functional.conv2d(x, kernel, null, stride, padding);
    }
}
