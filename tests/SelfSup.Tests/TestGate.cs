using SelfSup.Native;
using System.Diagnostics;
using System.IO.Compression;

namespace SelfSup.Tests;

/// <summary>
/// Opens <see cref="NativeCallGate"/> for the whole test run, as the CLI does for its own: the test host's threads
/// (result reporting) allocate while a test is inside libtorch, and a collection then could free a TorchSharp Scalar in
/// use. Safe points: the library's loops and every <see cref="TempDir"/>.
/// </summary>
internal static class TestGate
{
    private static IDisposable? gate;

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Open() => gate = NativeCallGate.Open();
}
