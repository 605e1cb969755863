namespace SelfSup.Models;

/// <summary>Parsing and resolving <c>precision</c> <c>fp32|bf16|auto</c>.</summary>
public static class PrecisionSetting
{
    public static readonly string[] Names = ["fp32", "bf16", "auto", "fp64"];

    /// <summary>
    /// The precision <paramref name="name"/> asks for on <paramref name="device"/>. <c>auto</c> is bf16 where the
    /// hardware computes bf16 natively — a CUDA device, or a CPU with AVX-512 BF16 or AMX (read from /proc/cpuinfo) —
    /// and fp32 elsewhere: there libtorch emulates bf16 by converting, which is slower than fp32.
    /// </summary>
    public static Precision Resolve(string name, string device = "cpu") => name.ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "bf16" or "bfloat16" => Precision.Bf16,
        "fp64" or "float64" => Precision.Fp64,
        "auto" => device.StartsWith("cuda") || CpuHasNativeBf16() ? Precision.Bf16 : Precision.Fp32,
        _ => throw new SelfSupError($"`precision` {name} is not known; use fp32, bf16, auto (or fp64 for exactness checks)"),
    };

    public static string Name(Precision precision) => precision switch { Precision.Bf16 => "bf16", Precision.Fp64 => "fp64", _ => "fp32" };

    /// <summary>Whether this CPU has bf16 dot-product instructions (flags avx512_bf16 or amx_bf16 in /proc/cpuinfo).</summary>
    public static bool CpuHasNativeBf16()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("flags"))
                    return line.Split(' ', ':', '\t').Any(f => f is "avx512_bf16" or "amx_bf16");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return false;
    }
}
