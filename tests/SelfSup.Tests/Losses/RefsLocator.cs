using System.Text.Json;
using SelfSup.IO;
using static TorchSharp.torch;

namespace SelfSup.Tests.Losses;

/// <summary>
/// The loss reference data kept in the repository (<c>tests/SelfSup.Tests/refs</c>, produced by
/// <c>make_refs.py</c> with the authors' formulas in float64 PyTorch), copied beside the test binaries.
/// </summary>
public static class RefsLocator
{
    private static readonly Lazy<string> _dir = new(Locate);
    private static readonly Lazy<IReadOnlyList<RefEntry>> _entries = new(LoadEntries);

    /// <summary>Absolute path of the refs folder; throws (failing the test) if absent.</summary>
    public static string Dir => _dir.Value;

    /// <summary>All entries of <c>refs.json</c>, in file order.</summary>
    public static IReadOnlyList<RefEntry> Entries => _entries.Value;

    /// <summary>extra_refs.json: bt-pairwise values and a Gaussian blur computed in plain Python (make_extra_refs.py).</summary>
    public static JsonElement Extra => _extra.Value.RootElement;

    private static readonly Lazy<JsonDocument> _extra = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "extra_refs.json"))));

    /// <summary>Reads a reference .npy file given relative to the refs folder.</summary>
    public static Tensor Load(string relative) => NpyFile.Read(Path.Combine(Dir, relative));

    /// <summary>
    /// The refs folder copied next to the test assembly from <c>tests/SelfSup.Tests/refs</c> (part of the
    /// repository, so a plain clone tests itself; nothing outside the checkout is read).
    /// </summary>
    private static string Locate()
    {
        var candidate = Path.Combine(AppContext.BaseDirectory, "refs");
        if (File.Exists(Path.Combine(candidate, "refs.json"))) return candidate;
        throw new InvalidOperationException(
            $"Loss reference data not found at '{candidate}': tests/SelfSup.Tests/refs/ should be copied beside the test assembly by the build; rebuild the test project.");
    }

    private static IReadOnlyList<RefEntry> LoadEntries()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "refs.json")));
        var list = new List<RefEntry>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var p = e.GetProperty("params");
            double Param(string name, double fallback) => p.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
            list.Add(new RefEntry(
                File: e.GetProperty("file").GetString()!,
                Shape: e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray(),
                Method: e.GetProperty("method").GetString()!,
                Lambda: Param("lambda", double.NaN),
                Mu: Param("mu", double.NaN),
                Nu: Param("nu", double.NaN),
                LambdaExpr: p.TryGetProperty("lambda_expr", out var le) ? le.GetString()! : "default",
                Value: e.GetProperty("value").GetDouble(),
                ValueFloat32: e.TryGetProperty("value_float32_torch", out var v32) ? v32.GetDouble() : null,
                GradFile: e.TryGetProperty("grad_file", out var g) ? g.GetString() : null));
        }
        return list;
    }
}
