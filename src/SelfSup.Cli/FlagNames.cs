using System.CommandLine;
using System.Text.RegularExpressions;

namespace SelfSup.Cli;

/// <summary>
/// The one place settings get their command-line spelling: the library names a setting or option in a message as
/// <c>`key`</c> (its config.json key, which sweep files and run-config files use too), and the CLI shows it as the
/// flag it defines for it, <c>--key-with-dashes</c>. A key without such a flag is left as it is.
/// </summary>
public static partial class FlagNames
{
    private static HashSet<string> flags = [];

    /// <summary>Learns every flag (name and aliases) of <paramref name="root"/> and its subcommands.</summary>
    public static void LearnFrom(Command root) => flags = [.. Options(root).SelectMany(o => o.Aliases.Append(o.Name)).Where(n => n.StartsWith("--"))];

    /// <summary><paramref name="message"/> with every <c>`key`</c> the CLI has a flag for written as that flag.</summary>
    public static string InMessage(string message) => Setting().Replace(message, m =>
        flags.Contains("--" + m.Groups[1].Value.Replace('_', '-')) ? "--" + m.Groups[1].Value.Replace('_', '-') : m.Value);

    /// <summary>A library warning on stderr, in the CLI's spelling.</summary>
    public static void Warn(string message) => Console.Error.WriteLine($"warning: {InMessage(message)}");

    private static IEnumerable<Option> Options(Command command) =>
        command.Options.Concat(command.Subcommands.SelectMany(Options));

    [GeneratedRegex("`([a-z][a-z0-9_]*)`")]
    private static partial Regex Setting();
}
