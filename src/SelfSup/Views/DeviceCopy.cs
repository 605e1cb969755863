using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// Host → device copies that do not block: on CUDA the CPU tensor goes through pinned (page-locked) memory and a
/// non-blocking copy, so the thread drawing views does not wait for the training step's queued kernels (a copy from
/// pageable memory does). libtorch's pinned-memory cache keeps the block until the copy has run.
/// </summary>
public static class DeviceCopy
{
    /// <summary><paramref name="tensor"/> on <paramref name="device"/> (a new handle to the same tensor when it is there already).</summary>
    public static Tensor Of(Tensor tensor, Device device)
    {
        if (tensor.device_type == device.type && (device.index < 0 || tensor.device_index == device.index)) return tensor.alias();
        if (tensor.device_type != DeviceType.CPU || device.type != DeviceType.CUDA) return tensor.to(device);
        using var pinned = tensor.pin_memory();
        return pinned.to(device, non_blocking: true);
    }
}
