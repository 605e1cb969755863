using SelfSup.Reports;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using SelfSup.Experiments;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup sweep CONFIG.yaml --out DIR</c>: runs every cell of a grid (an ordinary run directory each),
/// skipping finished cells and resuming interrupted ones, with one progress bar over the cells and the
/// estimated time left; ends with <c>selfsup report DIR</c>. With <c>--parallel P</c> each cell runs as a
/// child process (<c>selfsup run-cell</c>) with its own threads.
/// </summary>
public static class SweepCommand
{
    /// <summary>Options shared by <c>sweep</c> and <c>reproduce</c>.</summary>
    public sealed class SweepOptions
    {
        public readonly Option<string?> Out = new("--out") { Description = "Folder for the sweep: one run directory per cell, report.md and plots/ (required)" };
        public readonly Option<int> Parallel = new("--parallel") { Description = "Cells run at once, each as a child process (1 = one at a time, in this process)", DefaultValueFactory = _ => 1 };
        public readonly Option<int> Threads = new("--threads") { Description = "CPU threads per cell (0 = all cores / --parallel) unless the sweep sets threads", DefaultValueFactory = _ => 0 };
        public readonly Option<string[]> Set = new("--set") { Description = "Force a setting on every cell: KEY=VALUE (repeatable; applied after fixed, grid and zip), e.g. --set epochs=1", AllowMultipleArgumentsPerToken = false };
        public readonly Option<bool> DryRun = new("--dry-run") { Description = "List the cells and their status, run nothing" };
        public readonly Option<bool> NoReport = new("--no-report") { Description = "Do not write report.md at the end" };
        public readonly Option<double?> Target = new("--target") { Description = "Target accuracy (%) for the report's time-to-accuracy table" };

        public void AddTo(Command command)
        {
            foreach (var o in new Option[] { Out, Parallel, Threads, Set, DryRun, NoReport, Target }) command.Options.Add(o);
        }
    }

    public static Command Create()
    {
        var file = new Argument<string>("CONFIG") { Description = "Sweep file (YAML): fixed settings, grid, zip, studies, readout — see README" };
        var options = new SweepOptions();
        var command = new Command("sweep", "Run a grid of pretraining runs (projector dim, beta, views, fraction, method, seed, ...), then the report.");
        command.Arguments.Add(file);
        options.AddTo(command);
        command.SetAction(r =>
        {
            string path = r.GetValue(file)!;
            var sweep = SweepConfig.Load(path, ConfigSettings.ParseOverrides(r.GetValue(options.Set) ?? []));
            Run(sweep, File.ReadAllText(path), r, options);
            return 0;
        });
        return command;
    }

    /// <summary>Hidden verb: runs one laid-out cell in this process, printing "@progress FRACTION TEXT" lines for the parent.</summary>
    public static Command CreateRunCell()
    {
        var dir = new Argument<string>("CELL_DIR") { Description = "A cell folder holding cell.json" };
        var command = new Command("run-cell", "Run one sweep cell (used by sweep --parallel).") { Hidden = true };
        command.Arguments.Add(dir);
        command.SetAction(r =>
        {
            var clock = Stopwatch.StartNew();
            double last = -1;
            SweepRunner.RunCell(r.GetValue(dir)!, (what, fraction) =>
            {
                if (clock.Elapsed.TotalSeconds - last < 0.5 && fraction < 1) return;
                last = clock.Elapsed.TotalSeconds;
                Console.Out.WriteLine($"@progress {fraction.ToString("F4", CultureInfo.InvariantCulture)} {what}");
                Console.Out.Flush();
            });
            return 0;
        });
        return command;
    }

    /// <summary>Plans, runs and reports a sweep (shared with <c>reproduce</c>).</summary>
    public static void Run(SweepConfig sweep, string yamlText, ParseResult r, SweepOptions options, int? defaultParallel = null)
    {
        string outDir = Path.GetFullPath(r.GetValue(options.Out) ?? throw new SelfSupError("--out DIR is required: the folder for the sweep's run directories and report"));
        var parallelResult = r.GetResult(options.Parallel);
        int parallel = defaultParallel is { } p && (parallelResult is null || parallelResult.Implicit) ? p : r.GetValue(options.Parallel);
        int threads = r.GetValue(options.Threads);
        if (parallel < 1) throw new SelfSupError($"--parallel {parallel} must be at least 1");
        if (threads < 0) throw new SelfSupError($"--threads {threads} must be ≥ 0 (0 = all cores divided by --parallel)");
        if (threads == 0 && parallel > 1) threads = Math.Max(1, Environment.ProcessorCount / parallel);
        bool dryRun = r.GetValue(options.DryRun);

        var cells = SweepRunner.Plan(sweep, outDir, threads, write: !dryRun);
        if (!dryRun)
        {
            // the sweep file as run, with any --set overrides noted at the end
            var overrides = string.Concat(sweep.Overrides.Select(kv => $"# --set {kv.Key}={kv.Value}\n"));
            RunDirectoryWrite(Path.Combine(outDir, "sweep.yaml"), overrides.Length == 0 ? yamlText : $"{yamlText.TrimEnd()}\n# run with:\n{overrides}");
        }
        var table = new Table().AddColumn("cell").AddColumn("studies").AddColumn("status").AddColumn(new TableColumn("cost").RightAligned());
        table.Title = new TableTitle($"sweep {Markup.Escape(sweep.Name)}: {cells.Count} cells → {Markup.Escape(outDir)}");
        foreach (var c in cells)
            table.AddRow(Markup.Escape(c.Cell.Name), Markup.Escape(string.Join(", ", c.Cell.Studies)), c.Status.ToString().ToLowerInvariant(), c.Cost.ToString("G3", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        int todo = cells.Count(c => c.Status != CellStatus.Done);
        Console.WriteLine($"cells: {cells.Count} ({cells.Count - todo} finished, {cells.Count(c => c.Status == CellStatus.Partial)} to resume, {cells.Count(c => c.Status == CellStatus.New)} new)");
        if (dryRun) return;

        IReadOnlyList<CellFailure> failures = [];
        if (todo > 0)
        {
            using var children = new ChildProcesses();
            failures = ProgressDisplay.Run("sweep", report => SweepRunner.Execute(cells, parallel,
                parallel == 1 ? (cell, progress) => SweepRunner.RunCell(cell.Path, progress) : children.Run,
                p => report(Describe(p), Math.Round(p.Fraction * 1000), 1000)));
        }
        Console.WriteLine($"sweep: {todo - failures.Count} cells run, {cells.Count - todo} already finished, {failures.Count} failed");
        if (!r.GetValue(options.NoReport))
            ReportCommand.Write(outDir, new ReportOptions(Target: r.GetValue(options.Target)));
        if (failures.Count > 0)
        {
            foreach (var f in failures) Console.Error.WriteLine($"cell {f.Name}: {FlagNames.InMessage(f.Message)}");
            throw new SelfSupError($"{failures.Count} of {todo} cells failed (listed above; each cell's run.log has the details); rerun the same command to retry them");
        }
    }

    private static string Describe(SweepProgress p)
    {
        string eta = p.EtaSeconds is { } s ? $"ETA {FormatDuration(s)}" : "ETA …";
        return $"cells {p.Done}/{p.Total}{(p.Failed > 0 ? $" ({p.Failed} failed)" : "")} · {p.Fraction * 100:F0}% · {eta} · {p.Current}";
    }

    public static string FormatDuration(double seconds) => seconds switch
    {
        < 60 => $"{seconds:F0} s",
        < 3600 => $"{seconds / 60:F0} min",
        _ => $"{Math.Floor(seconds / 3600):F0} h {seconds % 3600 / 60:F0} min",
    };

    private static void RunDirectoryWrite(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SelfSup.Training.RunDirectory.WriteAtomic(path, text);
    }

    /// <summary>Cells as child processes of this CLI; any still running when the sweep ends or is stopped are killed.</summary>
    private sealed class ChildProcesses : IDisposable
    {
        private readonly HashSet<Process> running = [];

        public ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += KillAll;

        public void Run(PlannedCell cell, Action<string, double> progress)
        {
            string host = Environment.ProcessPath ?? "dotnet";
            var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            psi.ArgumentList.Add("run-cell");
            psi.ArgumentList.Add(cell.Path);
            var log = new StringBuilder();
            using var process = Process.Start(psi) ?? throw new SelfSupError($"could not start a child process for cell {cell.Cell.Name}");
            lock (running) running.Add(process);
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            try
            {
                while (process.StandardOutput.ReadLine() is { } line)
                {
                    if (line.StartsWith("@progress ") && line.Split(' ', 3) is [_, var f, .. var rest]
                        && double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction))
                        progress(rest.Length > 0 ? rest[0] : "", fraction);
                    else lock (log) log.AppendLine(line);
                }
                process.WaitForExit();
            }
            finally { lock (running) running.Remove(process); }
            string text;
            lock (log) text = log.ToString();
            File.WriteAllText(Path.Combine(cell.Path, "run.log"), text);
            if (process.ExitCode != 0)
            {
                var lastError = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("error:")) ?? $"exit code {process.ExitCode}";
                throw new SelfSupError(lastError.StartsWith("error: ") ? lastError["error: ".Length..] : lastError);
            }
        }

        private void KillAll(object? sender, EventArgs e)
        {
            lock (running)
                foreach (var p in running)
                    try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }

        public void Dispose()
        {
            AppDomain.CurrentDomain.ProcessExit -= KillAll;
            KillAll(null, EventArgs.Empty);
        }
    }
}
