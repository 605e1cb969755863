using SelfSup.Native;
using System.Diagnostics;
using System.IO.Compression;

namespace SelfSup.Tests;

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
