using static TorchSharp.torch;

namespace SelfSup.Models;

/// <summary>Device names to libtorch devices, with the one check every command needs.</summary>
public static class Devices
{
    /// <summary>The device called <paramref name="name"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>, …).</summary>
    /// <exception cref="SelfSupError">A CUDA device is asked for and this libtorch has none.</exception>
    public static Device Resolve(string name)
    {
        if (name.StartsWith("cuda") && !cuda.is_available())
            throw new SelfSupError($"device '{name}' requested but CUDA is not available (this build uses TorchSharp-cpu); use `device` cpu, or a libtorch built with CUDA (docs/gpu.md)");
        return device(name);
    }
}
