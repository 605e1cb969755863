using System.CommandLine;
using SelfSup;

namespace SelfSup.Cli;

/// <summary>
/// Runs the parsed command and turns every failure into one line on stderr and a non-zero exit:
/// 2 for a command line that does not parse, 1 for bad input (<see cref="SelfSupError"/>) or anything else.
/// Set SELFSUP_DEBUG=1 to see stack traces. Help and usage say <see cref="CommandName"/>, not the assembly's name
/// (System.CommandLine names the root command after the file it was started from: SelfSup.Cli.dll, or a tool shim's target).
/// </summary>
public static class CliRunner
{
    /// <summary>What users type: the launcher, the dotnet tool and <c>make install</c> all install the CLI under this name.</summary>
    public const string CommandName = "selfsup";

    public static int Run(RootCommand root, string[] args)
    {
        FlagNames.LearnFrom(root);
        SelfSupWarnings.Sink = FlagNames.Warn;
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine($"Run '{string.Join(' ', CommandPath(parsed.CommandResult))} --help' for the options.");
            return 2;
        }
        // help and version text come through this writer (commands write to the console themselves)
        var help = new StringWriter();
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null, Output = help });
        }
        catch (SelfSupError e)
        {
            Console.Error.WriteLine($"error: {FlagNames.InMessage(e.Message)}");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            if (Environment.GetEnvironmentVariable("SELFSUP_DEBUG") == "1") Console.Error.WriteLine(e);
            else Console.Error.WriteLine("(set SELFSUP_DEBUG=1 for the stack trace)");
            return 1;
        }
        finally
        {
            if (help.GetStringBuilder().Length > 0)
                Console.Out.Write(help.ToString().Replace(RootCommand.ExecutableName + " ", CommandName + " ").Replace("  " + RootCommand.ExecutableName + "\n", "  " + CommandName + "\n"));
        }
    }

    /// <summary>"selfsup bench step" for the bench step command's result.</summary>
    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Parent is null ? CommandName : r.Command.Name);
        return names;
    }
}
