using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace SelfSup.Models;

/// <summary>
/// Resolving the libtorch C++ symbols SelfSup binds by <c>DllImport</c> (<see cref="Autocast"/>, <see cref="DeviceSettings"/>,
/// <see cref="Training.FusedAdamKernel"/>): all at once, before the first call, so a libtorch that lacks one is a clear
/// message rather than an exception in the middle of training.
/// </summary>
public static class NativeSymbols
{
    /// <summary>
    /// The first of <paramref name="methods"/> (private static <c>DllImport</c> methods of <paramref name="owner"/>) whose
    /// symbol cannot be resolved, as "LIB does not export SYMBOL (Exception)", or null when all resolve.
    /// </summary>
    public static string? Missing(Type owner, params string[] methods)
    {
        torch.InitializeDeviceType(DeviceType.CPU);   // loads libtorch_cpu the way TorchSharp does
        foreach (var name in methods)
        {
            var method = owner.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)
                ?? throw new ArgumentException($"{owner.Name} has no method {name}", nameof(methods));
            try { Marshal.Prelink(method); }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                var import = method.GetCustomAttribute<DllImportAttribute>()!;
                return $"{import.Value} does not export {import.EntryPoint} ({e.GetType().Name})";
            }
        }
        return null;
    }
}
