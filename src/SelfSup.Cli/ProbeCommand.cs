using System.CommandLine;
using SelfSup.Evaluation;
using SelfSup.Training;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary><c>selfsup probe RUN_DIR</c>: linear readout (and kNN) of a pretrained run.</summary>
public static class ProbeCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by 'selfsup pretrain'" };
        var probe = new ProbeOptions();
        var command = new Command("probe", "Linear probe (and kNN) on frozen backbone features of a pretrained run.");
        command.Arguments.Add(runDir);
        probe.AddTo(command, includeSkip: false);
        command.SetAction(r =>
        {
            var run = new RunDirectory(r.GetValue(runDir)!);
            if (!Directory.Exists(run.Path)) throw new SelfSupError($"run directory '{run.Path}' does not exist; pass the --out folder of a 'selfsup pretrain' run");
            RunProbe(run, probe.Read(r));
            return 0;
        });
        return command;
    }

    /// <summary>Runs the readout with a progress display and prints the accuracy table.</summary>
    public static ReadoutResult RunProbe(RunDirectory run, ReadoutOptions options)
    {
        var result = ProgressDisplay.Run("probe", report => Readout.Run(run, options, (what, v, max) => report(what, v, max)));
        var table = new Table().AddColumn("readout").AddColumn(new TableColumn("top-1 (%)").RightAligned());
        table.Title = new TableTitle($"Linear probe on the test split ({options.ProbeEpochs} epochs{(options.AverageViews > 1 ? $", features averaged over {options.AverageViews} views" : "")})");
        table.AddRow("SSL encoder (linear probe)", $"{result.ProbeTop1:F2}");
        if (result.KnnTop1 is { } knn) table.AddRow("SSL encoder (kNN, k=200)", $"{knn:F2}");
        if (result.PixelsTop1 is { } px) table.AddRow("raw pixels (linear probe)", $"{px:F2}");
        if (result.RandomTop1 is { } rnd) table.AddRow("random encoder (linear probe)", $"{rnd:F2}");
        AnsiConsole.Write(table);
        Console.WriteLine($"probe_top1={result.ProbeTop1:F2}");
        return result;
    }
}
