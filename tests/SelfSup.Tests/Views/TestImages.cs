using static TorchSharp.torch;

namespace SelfSup.Tests.Views;

/// <summary>Small random images for the view tests.</summary>
internal static class TestImages
{
    /// <summary>N×C×H×W uint8 noise from a fixed seed.</summary>
    public static Tensor Bytes(long n, long c, long h, long w, long seed = 7)
    {
        using var gen = new Generator((ulong)seed, CPU);
        return randint(0, 256, new long[] { n, c, h, w }, dtype: ScalarType.Byte, generator: gen);
    }

    /// <summary>N×C×H×W float noise in [0, 1) from a fixed seed.</summary>
    public static Tensor Floats(long n, long c, long h, long w, long seed = 7)
    {
        using var gen = new Generator((ulong)seed, CPU);
        return rand(new long[] { n, c, h, w }, generator: gen);
    }

    public static float MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();
}
