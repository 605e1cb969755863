using System.Runtime.InteropServices;
using SelfSup.Training;

namespace SelfSup.Cli;

/// <summary>
/// Ctrl-C and SIGTERM during pretraining: the first one asks the trainer to finish its step, write a checkpoint
/// and return (the command then prints how to resume and exits 130 or 143); a second Ctrl-C ends the process at
/// once. Finished checkpoints are never damaged by that: each is written under a temporary name and renamed only
/// when complete.
/// </summary>
public sealed class SignalStop : IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];

    /// <summary>The request the trainer polls.</summary>
    public StopRequest Request { get; } = new();

    public SignalStop()
    {
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Handle(context, "SIGINT")));
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Handle(context, "SIGTERM")));
    }

    private void Handle(PosixSignalContext context, string name)
    {
        if (Request.Reason is not null && name == "SIGINT")
        {
            Console.Error.WriteLine("\nsecond Ctrl-C: exiting now (finished checkpoints are intact)");
            Console.Out.Flush();
            // _exit, not Environment.Exit: running libtorch's static destructors while the training thread is inside
            // libtorch ended the process with SIGSEGV (exit 139) here
            ExitNow(130);
        }
        context.Cancel = true;
        Request.Request(name);
        Console.Error.WriteLine($"\n{name}: finishing the current step and writing a checkpoint (Ctrl-C again to exit at once)");
    }

    /// <summary>The shell's exit code for a stop by <paramref name="reason"/>: 128 + the signal number.</summary>
    public static int ExitCode(string reason) => reason == "SIGTERM" ? 143 : 130;

    /// <summary>The command that resumes the run in <paramref name="runPath"/> (the repository's launcher when started through it).</summary>
    public static string ResumeCommand(string runPath)
    {
        string launcher = Environment.GetEnvironmentVariable("SELFSUP_LAUNCHER") is { Length: > 0 } l ? l : "selfsup";
        return $"{Quote(launcher)} pretrain --resume --out {Quote(runPath)}";
    }

    private static string Quote(string s) => s.All(c => char.IsLetterOrDigit(c) || "/._-+=:".Contains(c)) ? s : $"'{s.Replace("'", "'\\''")}'";

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
    }
}
