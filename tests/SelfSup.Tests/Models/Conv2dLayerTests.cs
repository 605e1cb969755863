using System.Runtime.InteropServices;
using SelfSup.Models;
using SelfSup.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Models;

/// <summary>
/// libtorch 2.10's CPU convolution backward reads the uninitialised padding of a kernel narrower than 16 output
/// channels (see <see cref="Conv2dLayer.CpuChannelBlock"/>); <see cref="Conv2dLayer"/> must give finite, correct
/// gradients whatever the recycled heap bytes hold.
/// </summary>
public sealed class Conv2dLayerTests
{
    /// <summary>
    /// Fills and frees heap blocks of about <paramref name="bytes"/> bytes with 0xFF (a NaN in fp32 and bf16), so the
    /// next allocations of that size start out as NaN. libtorch allocates its CPU buffers with malloc.
    /// </summary>
    private static void PoisonHeap(int bytes)
    {
        var sizes = Enumerable.Range(0, 64).Select(i => bytes + 64 * (i % 8)).ToList();
        var nan = Enumerable.Repeat((byte)0xFF, sizes.Max()).ToArray();
        var blocks = sizes.Select(size => (Block: Marshal.AllocHGlobal(size), Size: size)).ToList();
        foreach (var (block, size) in blocks) Marshal.Copy(nan, 0, block, size);
        foreach (var (block, _) in blocks) Marshal.FreeHGlobal(block);
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(8, 4)]
    [InlineData(16, 12)]
    [InlineData(1, 8)]
    public void A_narrow_convolutions_gradients_are_finite_and_exact_over_NaN_heap_bytes(int inChannels, int outChannels)
    {
        // without the zero filters, 19 of 20 such calls gave a NaN input gradient here (8 → 8 channels)
        int paddedKernelBytes = 16 * Math.Max(16, inChannels) * 3 * 3 * sizeof(float);
        using var layer = new Conv2dLayer(inChannels, outChannels, 3, padding: 1);
        var w64 = layer.Weight.detach().to(float64);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            using var scope = torch.NewDisposeScope();
            layer.zero_grad();
            var x = torch.randn(16, inChannels, 28, 28).requires_grad_(true);
            var upstream = torch.randn(16, outChannels, 28, 28);
            PoisonHeap(paddedKernelBytes);
            var y = layer.forward(x);
            torch.autograd.backward([y], [upstream]);
            Assert.True(x.grad!.isfinite().all().item<bool>(), $"attempt {attempt}: non-finite input gradient");

            // float64 convolutions take libtorch's reference (non-oneDNN) path: an independent answer
            var x64 = x.detach().to(float64).requires_grad_(true);
            var w = w64.clone().requires_grad_(true);
            var y64 = nn.functional.conv2d(x64, w, padding: [1, 1]);
            torch.autograd.backward([y64], [upstream.to(float64)]);
            AssertClose(y64, y, "output");
            AssertClose(x64.grad!, x.grad!, "input gradient");
            AssertClose(w.grad!, layer.Weight.grad!, "weight gradient");
            Assert.Equal([(long)outChannels, inChannels, 3, 3], layer.Weight.grad!.shape);
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        double scale = expected.abs().max().item<double>();
        double error = (actual.detach().to(float64) - expected.detach()).abs().max().item<double>();
        Assert.True(error <= 1e-4 * scale, $"{what}: max error {error:G3} against a scale of {scale:G3}");
    }

    [Fact]
    public void Without_gradients_the_layer_runs_the_plain_convolution()
    {
        // inference (the readouts) and the stem (its input needs no gradient) skip the padded filters: same output
        using var layer = new Conv2dLayer(8, 8, 3, padding: 1);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 8, 12, 12);
        var expected = nn.functional.conv2d(x.to(float64), layer.Weight.detach().to(float64), padding: [1, 1]);
        using (torch.no_grad()) AssertClose(expected, layer.forward(x), "no_grad output");
        var y = layer.forward(x);
        AssertClose(expected, y, "output for an input without gradient");
        Assert.Equal([4L, 8, 12, 12], y.shape);
    }

    [Theory]
    [InlineData(12, 24)]
    [InlineData(24, 24)]
    [InlineData(20, 20)]
    public void Widths_whose_stages_cpu_convolutions_misread_are_refused_naming_the_channels(int width, int badChannels)
    {
        var e = Assert.Throws<SelfSupError>(() => new TrainConfig { Width = width }.Validate());
        Assert.Contains($"`width` {width}", e.Message);
        Assert.Contains($"{badChannels}-channel", e.Message);
        Assert.Contains("multiple of 16", e.Message);
        new TrainConfig { Width = width, Device = "cuda" }.Validate();   // cuDNN has no such limit
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(48)]
    public void Widths_of_whole_blocks_are_accepted_on_the_cpu(int width) => new TrainConfig { Width = width }.Validate();
}
