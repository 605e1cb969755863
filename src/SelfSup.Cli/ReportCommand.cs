using SelfSup.Reports;
using System.CommandLine;
using SelfSup.Experiments;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary><c>selfsup report DIR</c>: report.md with Markdown tables and PNG plots of the runs under DIR.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("DIR") { Description = "A sweep's --out folder, or any folder of run directories" };
        var target = new Option<double?>("--target") { Description = "Target accuracy (%) for the time-to-accuracy table (default: the lowest best accuracy over runs)" };
        var metric = new Option<string>("--metric") { Description = "Accuracy to report: probe (linear probe) or knn", DefaultValueFactory = _ => "probe" };
        var output = new Option<string?>("--out") { Description = "Folder for report.md and plots/ (default: DIR)" };
        var command = new Command("report", "Tables and plots of a sweep: accuracy vs d and beta, vs epoch/time per M, at equal M x fraction, Pareto frontier, time to target, spectra.");
        command.Arguments.Add(dir);
        command.Options.Add(target); command.Options.Add(metric); command.Options.Add(output);
        command.SetAction(r =>
        {
            Write(r.GetValue(dir)!, new ReportOptions(r.GetValue(target), r.GetValue(metric)!, r.GetValue(output)));
            return 0;
        });
        return command;
    }

    /// <summary>Builds the report and prints where it went.</summary>
    public static ReportResult Write(string dir, ReportOptions options)
    {
        var result = Report.Build(dir, options);
        AnsiConsole.MarkupLine($"[bold]report[/] {result.Runs} runs in {result.Configurations} configurations" +
            (result.Target is { } t ? $"; time-to-accuracy target {t:F1} %" : ""));
        foreach (var plot in result.Plots) Console.WriteLine($"  plot   {plot}");
        Console.WriteLine($"report: {result.MarkdownPath}");
        return result;
    }
}
