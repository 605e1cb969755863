using System.CommandLine;
using SelfSup.Evaluation;
using SelfSup.Training;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary>Flags of the linear readout, shared by <c>probe</c> and <c>pretrain</c>.</summary>
public sealed class ProbeOptions
{
    public readonly Option<int> ProbeEpochs = new("--probe-epochs") { Description = "Linear-probe epochs", DefaultValueFactory = _ => 200 };
    public readonly Option<int> AverageViews = new("--average-views") { Description = "Average each image's feature over 1 clean + K-1 augmented views (16 = authors)", DefaultValueFactory = _ => 1 };
    public readonly Option<bool> Baselines = new("--baselines") { Description = "Also probe raw pixels and a randomly initialised encoder" };
    public readonly Option<bool> NoKnn = new("--no-knn") { Description = "Skip the kNN readout" };
    public readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Checkpoint folder to evaluate (default: the run's newest)" };
    public readonly Option<string?> Precision = new("--precision") { Description = "Feature extraction in fp32, bf16 or auto (default: the run's --precision)" };
    public readonly Option<bool> NoProbe = new("--no-probe") { Description = "Skip the linear probe after pretraining" };

    public void AddTo(Command command, bool includeSkip)
    {
        command.Options.Add(ProbeEpochs); command.Options.Add(AverageViews); command.Options.Add(Baselines); command.Options.Add(NoKnn);
        command.Options.Add(Checkpoint);
        if (!includeSkip) command.Options.Add(Precision);  // pretrain's own --precision covers its readout
        if (includeSkip) command.Options.Add(NoProbe);
    }

    public bool Skipped(ParseResult r) => r.GetValue(NoProbe);

    public ReadoutOptions Read(ParseResult r)
    {
        int epochs = r.GetValue(ProbeEpochs), views = r.GetValue(AverageViews);
        if (epochs < 1) throw new SelfSupError($"--probe-epochs {epochs} must be at least 1");
        if (views < 1) throw new SelfSupError($"--average-views {views} must be at least 1");
        string? checkpoint = r.GetValue(Checkpoint);
        if (checkpoint is not null && !File.Exists(Path.Combine(checkpoint, "model.bin")))
            throw new SelfSupError($"--checkpoint '{checkpoint}' has no model.bin; pass a folder like RUN_DIR/checkpoints/epoch-0003");
        string? precision = r.GetValue(Precision);
        if (precision is not null) Models.PrecisionSetting.Resolve(precision);  // an unknown name fails here, naming the flag
        return new ReadoutOptions(epochs, views, r.GetValue(Baselines), !r.GetValue(NoKnn), Checkpoint: checkpoint is null ? null : Path.GetFullPath(checkpoint), Precision: precision);
    }
}

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
