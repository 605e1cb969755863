using System.CommandLine;
using SelfSup;

namespace SelfSup.Cli;

/// <summary>
/// Runs the parsed command and turns every failure into one line on stderr and a non-zero exit:
/// 2 for a command line that does not parse, 1 for bad input (<see cref="SelfSupError"/>) or anything else.
/// Set SELFSUP_DEBUG=1 to see stack traces.
/// </summary>
public static class CliRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
            string verb = parsed.CommandResult.Command == root ? "" : " " + parsed.CommandResult.Command.Name;
            Console.Error.WriteLine($"Run 'selfsup{verb} --help' for the options.");
            return 2;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (SelfSupError e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            if (Environment.GetEnvironmentVariable("SELFSUP_DEBUG") == "1") Console.Error.WriteLine(e);
            else Console.Error.WriteLine("(set SELFSUP_DEBUG=1 for the stack trace)");
            return 1;
        }
    }
}
