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

/// <summary>
/// Writes small Fashion-MNIST-format datasets (idx, gzip) whose images depend on the label
/// (a bright bar whose position encodes the class, plus noise), so a probe can learn them.
/// </summary>
public static class SyntheticFashionMnist
{
    public static void Write(string dir, int trainCount = 96, int testCount = 40, int seed = 1, int side = 28)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        WriteSplit(dir, "train", trainCount, side, rng);
        WriteSplit(dir, "t10k", testCount, side, rng);
    }

    private static void WriteSplit(string dir, string prefix, int count, int side, Random rng)
    {
        var pixels = new byte[count * side * side];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 10;
            labels[i] = (byte)label;
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    int bar = 2 + label * 2;
                    bool on = y >= bar && y < bar + 3;
                    pixels[i * side * side + y * side + x] = (byte)Math.Clamp((on ? 200 : 30) + rng.Next(-25, 26), 0, 255);
                }
        }
        WriteIdx(System.IO.Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), pixels, [count, side, side]);
        WriteIdx(System.IO.Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), labels, [count]);
    }

    public static void WriteIdx(string path, byte[] data, int[] dims, bool gzip = true)
    {
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        stream.Write([0, 0, 0x08, (byte)dims.Length]);
        foreach (var d in dims) stream.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        stream.Write(data);
    }
}

/// <summary>Runs the real CLI (SelfSup.Cli.dll next to the tests) as a child process.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => Launch([], args).Wait(TimeSpan.FromSeconds(300));

    /// <summary>
    /// Starts the CLI without waiting (for tests that signal or kill it). A process started from a non-interactive
    /// shell's background job inherits SIGINT as ignored (POSIX), and .NET keeps an ignored SIGINT ignored, so the
    /// child is started through python3, which restores SIGINT's default action before exec — as in a terminal.
    /// </summary>
    public static Running Start(params string[] args) => Launch(
        ["python3", "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); " +
            "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM}); os.execvp(sys.argv[1], sys.argv[1:])"], args);

    /// <summary>
    /// <c>mpirun -np <paramref name="ranks"/></c> of the CLI (Open MPI, as root in CI: the two ALLOW_RUN_AS_ROOT variables;
    /// <c>--oversubscribe</c> so more ranks than cores may start). Not waited for.
    /// </summary>
    public static Running StartMpi(int ranks, params string[] args) => Launch(
        ["mpirun", "-np", ranks.ToString(), "--oversubscribe", "--bind-to", "none"], args,
        new() { ["OMPI_ALLOW_RUN_AS_ROOT"] = "1", ["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1" });

    /// <summary><see cref="StartMpi"/>, waited for (5 minutes at most).</summary>
    public static Result RunMpi(int ranks, params string[] args) => StartMpi(ranks, args).Wait(TimeSpan.FromSeconds(300));

    /// <summary>Runs <c>prefix… dotnet SelfSup.Cli.dll args…</c> with its output captured and the debug/launcher variables unset.</summary>
    private static Running Launch(string[] prefix, string[] args, Dictionary<string, string>? environment = null)
    {
        string[] command = [.. prefix, "dotnet", System.IO.Path.Combine(AppContext.BaseDirectory, "SelfSup.Cli.dll"), .. args];
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command[1..]) psi.ArgumentList.Add(a);
        psi.Environment.Remove("SELFSUP_DEBUG");
        psi.Environment.Remove("SELFSUP_LAUNCHER");
        foreach (var (name, value) in environment ?? []) psi.Environment[name] = value;
        var p = Process.Start(psi)!;
        return new Running(p, p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync(), string.Join(' ', args));
    }

    /// <summary>A CLI process started by <see cref="Start"/>.</summary>
    public sealed record Running(Process Process, Task<string> Stdout, Task<string> Stderr, string Args)
    {
        public Result Wait(TimeSpan timeout)
        {
            using var p = Process;
            if (!p.WaitForExit(timeout)) { p.Kill(true); throw new TimeoutException($"selfsup {Args} did not finish in {timeout.TotalSeconds:F0} s"); }
            return new Result(p.ExitCode, Stdout.Result, Stderr.Result);
        }

        /// <summary>The ignored, blocked and caught signal masks of the process (/proc/PID/status), for failure messages.</summary>
        public string SignalMasks() =>
            string.Join(" ", File.ReadLines($"/proc/{Process.Id}/status").Where(l => l.StartsWith("Sig")).Select(l => l.Replace("\t", "")));

        /// <summary>Sends a POSIX signal (e.g. "INT", "TERM", "KILL") with kill(1).</summary>
        public void Signal(string name)
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["-" + name, Process.Id.ToString()])!;
            kill.WaitForExit();
        }
    }
}

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
