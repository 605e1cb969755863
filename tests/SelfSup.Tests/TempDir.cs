using SelfSup.Native;
using System.Diagnostics;
using System.IO.Compression;

namespace SelfSup.Tests;

/// <summary>A temporary folder deleted at dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "selfsup-tests", Guid.NewGuid().ToString("N"));
    public TempDir()
    {
        Directory.CreateDirectory(Path);
        NativeCallGate.SafePoint();   // most tests start here: a safe point between tests re-arms the no-GC region (see TestGate)
    }
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
