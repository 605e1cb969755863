using System.CommandLine;
using System.Globalization;
using SelfSup.Distributed;
using SelfSup.Evaluation;
using SelfSup.Losses;
using SelfSup.Training;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary><c>selfsup pretrain</c>: pretrain an encoder, checkpoint every epoch, then run the linear probe.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var train = new TrainOptions();
        var output = new Option<string?>("--out") { Description = "Run directory (default: runs/<timestamp>-<name>)" };
        var name = new Option<string>("--name") { Description = "Run name used in the default --out", DefaultValueFactory = _ => "pretrain" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its newest checkpoint (flags that change what is trained must match the saved run)" };
        var configFile = new Option<string?>("--config") { Description = "YAML file of training settings (the keys of a sweep's fixed: block, e.g. proj_dim: 64); flags on the command line override it" };
        var force = new Option<bool>("--force") { Description = "With --resume: accept flags that change the saved settings (lr, batch, views, ...)" };
        var probe = new ProbeOptions();
        var command = new Command("pretrain", "Pretrain an encoder with a multi-view SSL loss, then evaluate it with a linear probe.");
        train.AddTo(command);
        command.Options.Add(output); command.Options.Add(name); command.Options.Add(resume); command.Options.Add(force); command.Options.Add(configFile);
        probe.AddTo(command, includeSkip: true);
        command.SetAction(r =>
        {
            // under mpirun/srun: one rank of a data-parallel job; a failure on any rank ends them all (MPI_Abort), never a hang
            using var group = ProcessGroup.FromEnvironment();
            if (group.Size == 1) return Pretrain(r, group);
            try { return Pretrain(r, group); }
            catch (Exception e)
            {
                group.Abort(e is SelfSupError ? FlagNames.InMessage(e.Message) : $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", 1);
                return 1;
            }
        });

        int Pretrain(ParseResult r, ProcessGroup group)
        {
            var config = train.Read(r);
            IReadOnlyList<string> given = train.GivenKeys(r).ToList();
            if (r.GetValue(configFile) is { } file) (config, given) = Experiments.RunConfigFile.WithFlags(file, config, given);
            string? outDir = r.GetValue(output);
            bool doResume = r.GetValue(resume);
            if (doResume && outDir is null) throw new SelfSupError("--resume needs --out RUN_DIR naming the run to continue");
            var run = new RunDirectory(outDir ?? RunDirectory.DefaultPath(r.GetValue(name)!));
            if (doResume)
            {
                if (!run.Exists) throw new SelfSupError($"--resume: '{run.Path}' is not a run directory (no config.json); drop --resume to start a new run there");
                config = ResumeSettings.Merge(run.ReadConfig(), config, given, r.GetValue(force));
            }
            else if (run.Exists && group.IsRoot)
                throw new SelfSupError($"'{run.Path}' already holds a run; pass --resume to continue it or choose another --out");
            config.Validate();

            double beta = config.LossWeight;
            if (!group.IsRoot)
            {
                // ranks 1 … R−1 train their slices quietly; rank 0 shows progress, writes the run and probes it
                using var quiet = new SignalStop();
                var mine = new Pretrainer(config, run) { Group = group, Stop = quiet.Request }.Run(doResume);
                mine.Encoder.Dispose();
                return mine.State.StoppedBy is "SIGINT" or "SIGTERM" ? SignalStop.ExitCode(mine.State.StoppedBy) : 0;
            }
            string ranks = group.Size > 1 ? $" · {group.Size} ranks (MPI){(config.SyncBn ? ", sync BN" : "")}" : "";
            AnsiConsole.MarkupLine($"[bold]pretrain[/] {Markup.Escape(config.Dataset)} · {config.Model} width {config.Width} · d = {config.ProjDim} · " +
                $"{config.Method} (beta = {beta.ToString("G4", CultureInfo.InvariantCulture)}) · M = {config.Views} · batch {config.BatchSize} · {config.Epochs} epochs{ranks} → {Markup.Escape(run.Path)}");
            using var signals = new SignalStop();
            var result = ProgressDisplay.Run("pretrain", report =>
            {
                // --eval-every K: short probe + kNN + spectra after every K-th epoch into evals.jsonl (off the pretraining clock)
                using var evaluator = config.EvalEvery > 0 ? new PeriodicEvaluator(config, run, (what, v, max) => report(what, v, max)) : null;
                return new Pretrainer(config, run, s => report($"epoch {s.Epoch}/{s.Epochs} loss {s.Loss:F4} {s.ImagesPerSecond:F0} img/s", s.Step, s.TotalSteps))
                    { OnEpochEnd = evaluator is null ? null : evaluator.OnEpochEnd, Stop = signals.Request, Group = group }.Run(doResume);
            });
            if (result.State.StoppedBy is "SIGINT" or "SIGTERM")
            {
                result.Encoder.Dispose();
                AnsiConsole.MarkupLine($"stopped by {result.State.StoppedBy} after step {result.State.Step} (epoch {result.State.Epoch + (result.State.BatchInEpoch > 0 ? 1 : 0)}); checkpoint {Markup.Escape(result.CheckpointDir ?? "-")}");
                Console.WriteLine($"resume with: {SignalStop.ResumeCommand(run.Path)}");
                return SignalStop.ExitCode(result.State.StoppedBy);
            }
            run.UpdateSummary(PretrainSummary.Values(config, result.State));
            AnsiConsole.MarkupLine($"pretrained {result.State.Step} steps in {result.State.PretrainSeconds:F0} s; checkpoint {Markup.Escape(result.CheckpointDir ?? "-")}");
            result.Encoder.Dispose();
            if (!probe.Skipped(r))
            {
                if (SelfSup.Data.DatasetCatalog.HasLabels(config.Dataset)) ProbeCommand.RunProbe(run, probe.Read(r));
                else AnsiConsole.MarkupLine($"no linear probe: dataset '{Markup.Escape(config.Dataset)}' is unlabeled (pretraining only)");
            }
            return 0;
        }
        return command;
    }
}
