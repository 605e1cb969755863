using System.Text.Json;
using SelfSup.IO;
using static TorchSharp.torch;

namespace SelfSup.Tests.Losses;

/// <summary>One reference value from refs.json.</summary>
public sealed record RefEntry(
    string File, long[] Shape, string Method, double Lambda, double Mu, double Nu, string LambdaExpr,
    double Value, double? ValueFloat32, string? GradFile)
{
    /// <summary>A short label such as "rand_N64_M2_d16 bt λ=1/d".</summary>
    public string Label => $"{Path.GetFileNameWithoutExtension(File)} {Method} λ={LambdaExpr}";
}
