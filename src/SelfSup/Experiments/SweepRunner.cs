using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelfSup.Data;
using SelfSup.Evaluation;
using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>
/// Runs a sweep: every cell is an ordinary run directory <c>OUT/&lt;cell&gt;/</c> (config.json, checkpoints,
/// metrics.jsonl, evals.jsonl, summary.json) plus <c>cell.json</c>. Rerunning skips finished cells (summary
/// has <c>"finished": true</c>), resumes interrupted ones from their newest checkpoint, and refuses a cell
/// whose folder holds a run with other settings.
/// </summary>
public static class SweepRunner
{
    public const string CellFile = "cell.json";
    public const string IndexFile = "sweep.json";

    /// <summary>Lays out the cells under <paramref name="outDir"/> and writes their cell.json and the sweep index.</summary>
    public static IReadOnlyList<PlannedCell> Plan(SweepConfig sweep, string outDir, int threadsPerCell = 0, bool write = true)
    {
        outDir = Path.GetFullPath(outDir);
        var planned = new List<PlannedCell>();
        foreach (var cell in sweep.Expand())
        {
            var config = cell.Config.Threads == 0 && threadsPerCell > 0 ? cell.Config with { Threads = threadsPerCell } : cell.Config;
            string path = Path.Combine(outDir, cell.Name);
            var run = new RunDirectory(path);
            var status = CellStatus.New;
            if (run.Exists)
            {
                var existing = ConfigComparison.Semantic(run.ReadConfig(), ConfigComparison.OperationalKeys);
                var wanted = ConfigComparison.Semantic(config, ConfigComparison.OperationalKeys);
                if (!JsonNode.DeepEquals(existing, wanted))
                {
                    var diff = wanted.Select(p => p.Key).Where(k => !JsonNode.DeepEquals(existing[k], wanted[k]))
                        .Select(k => $"{k}: {ConfigComparison.Display(existing[k])} → {ConfigComparison.Display(wanted[k])}");
                    throw new SelfSupError($"cell '{cell.Name}' in '{outDir}' holds a run with other settings ({string.Join("; ", diff)}); " +
                        "set those keys to the cell's values in the sweep file to continue it, use another `out`, or delete that cell's folder to rerun it");
                }
                status = IsFinished(run) ? CellStatus.Done : CellStatus.Partial;
            }
            else if (File.Exists(Path.Combine(path, CellFile))) status = CellStatus.Partial;
            double cost = config.Views * config.Fraction * config.Epochs;
            planned.Add(new PlannedCell(cell with { Config = config }, path, status, cost));
            if (write && status != CellStatus.Done)
            {
                Directory.CreateDirectory(path);
                var spec = new CellSpec
                {
                    Name = cell.Name, Studies = [.. cell.Studies], Settings = new(cell.Settings), Config = config, Readout = sweep.Readout,
                    Sessions = File.Exists(Path.Combine(path, CellFile)) ? ReadSessions(path) : [],   // a resumed cell keeps its earlier stretches
                };
                RunDirectory.WriteAtomic(Path.Combine(path, CellFile), JsonSerializer.Serialize(spec, TrainConfig.Json));
            }
        }
        if (write)
        {
            Directory.CreateDirectory(outDir);
            var index = new
            {
                name = sweep.Name,
                studies = sweep.Studies.Select(s => s.Name).ToArray(),
                readout = sweep.Readout,
                cells = planned.Select(p => new { name = p.Cell.Name, studies = p.Cell.Studies, settings = p.Cell.Settings }).ToArray(),
            };
            RunDirectory.WriteAtomic(Path.Combine(outDir, IndexFile), JsonSerializer.Serialize(index, TrainConfig.Json));
        }
        return planned;
    }

    /// <summary>True when the cell was pretrained and read out to the end.</summary>
    public static bool IsFinished(RunDirectory run) =>
        File.Exists(run.SummaryPath) && run.ReadSummary()["finished"] is JsonValue v && v.TryGetValue<bool>(out var done) && done;

    /// <summary>The sessions recorded in a cell's cell.json; none when it cannot be read.</summary>
    public static List<CellSession> ReadSessions(string cellDir)
    {
        try { return ReadSpec(cellDir).Sessions; }
        catch (SelfSupError) { return []; }
    }

    public static CellSpec ReadSpec(string cellDir)
    {
        var path = Path.Combine(cellDir, CellFile);
        if (!File.Exists(path)) throw new SelfSupError($"'{cellDir}' is not a sweep cell (no {CellFile}); run selfsup sweep CONFIG with an `out` DIR to lay out cells");
        try { return JsonSerializer.Deserialize<CellSpec>(File.ReadAllText(path), TrainConfig.Json) ?? throw new SelfSupError($"'{path}' is empty; rerun the sweep to rewrite it"); }
        catch (JsonException e) { throw new SelfSupError($"'{path}' is not valid JSON ({e.Message}); rerun the sweep to rewrite it"); }
    }

    /// <summary>
    /// Runs one cell in this process: pretraining (resumed when it has a checkpoint) with periodic
    /// evaluation, the summary, the final readout, then <c>"finished": true</c>. <paramref name="progress"/>
    /// gets a description and the fraction done (0..1).
    /// </summary>
    public static void RunCell(string cellDir, Action<string, double>? progress = null)
    {
        var spec = ReadSpec(cellDir);
        var config = spec.Config;
        var run = new RunDirectory(cellDir);
        bool resume = Checkpoint.Latest(run) is not null;
        if (!resume)
            foreach (var stale in new[] { run.MetricsPath, run.EpochsPath, run.SummaryPath, Path.Combine(run.Path, PeriodicEvaluator.FileName) })
                if (File.Exists(stale)) File.Delete(stale);

        const double pretrainShare = 0.85;
        using (var evaluator = config.EvalEvery > 0 ? new PeriodicEvaluator(config, run, (what, v, max) => progress?.Invoke(what, -1)) : null)
        {
            var result = new Pretrainer(config, run, s => progress?.Invoke($"epoch {s.Epoch}/{s.Epochs}", pretrainShare * s.Step / Math.Max(1, s.TotalSteps)))
                { OnEpochEnd = evaluator is null ? null : evaluator.OnEpochEnd }.Run(resume);
            run.UpdateSummary(PretrainSummary.Values(config, result.State));
            result.Encoder.Dispose();
        }
        if (DatasetCatalog.HasLabels(config.Dataset))
            Readout.Run(run, new ReadoutOptions(spec.Readout.ProbeEpochs, spec.Readout.AverageViews, Knn: spec.Readout.Knn),
                (what, v, max) => progress?.Invoke(what, pretrainShare + (1 - pretrainShare) * (what.Contains("probe") && max > 0 ? v / max : 0)));
        run.UpdateSummary(new Dictionary<string, object?> { ["sweep_cell"] = spec.Name, ["sweep_studies"] = spec.Studies, ["finished"] = true });
        progress?.Invoke("done", 1);
    }

    /// <summary>
    /// Runs the cells that are not done, <paramref name="parallel"/> at a time (each through
    /// <paramref name="runOne"/>, which reports a description and its fraction done, or −1 to keep the
    /// fraction), and reports the cost-weighted progress. A failed cell does not stop the others. Each
    /// cell's cell.json records <paramref name="parallel"/>, its threads and the cells that ran beside it
    /// (<see cref="CellSession"/>).
    /// </summary>
    public static IReadOnlyList<CellFailure> Execute(IReadOnlyList<PlannedCell> cells, int parallel,
        Action<PlannedCell, Action<string, double>> runOne, Action<SweepProgress>? onProgress = null)
    {
        if (parallel < 1) throw new SelfSupError($"`parallel` {parallel} must be at least 1");
        var todo = cells.Where(c => c.Status != CellStatus.Done).ToList();
        double totalCost = Math.Max(1e-9, todo.Sum(c => c.Cost));
        var queue = new Queue<PlannedCell>(todo);
        var running = new Dictionary<string, (double Fraction, string What, double Cost)>();
        var failures = new List<CellFailure>();
        var gate = new object();
        var concurrency = new CellConcurrency(parallel);
        var clock = Stopwatch.StartNew();
        int done = 0;
        double doneCost = 0;

        void Report()
        {
            double fraction = Math.Clamp((doneCost + running.Values.Sum(r => r.Fraction * r.Cost)) / totalCost, 0, 1);
            double elapsed = clock.Elapsed.TotalSeconds;
            double? eta = fraction > 0.01 ? elapsed / fraction * (1 - fraction) : null;
            string current = string.Join(" | ", running.Select(r => $"{r.Key} {r.Value.What}"));
            onProgress?.Invoke(new SweepProgress(done, todo.Count, failures.Count, fraction, elapsed, eta, current));
        }

        void Worker()
        {
            while (true)
            {
                PlannedCell cell;
                lock (gate)
                {
                    if (queue.Count == 0) return;
                    cell = queue.Dequeue();
                    running[cell.Cell.Name] = (0, "starting", cell.Cost);
                    concurrency.Started(cell);
                    Report();
                }
                try
                {
                    runOne(cell, (what, fraction) =>
                    {
                        lock (gate)
                        {
                            var previous = running[cell.Cell.Name];
                            running[cell.Cell.Name] = (fraction >= 0 ? Math.Clamp(fraction, 0, 1) : previous.Fraction, what, cell.Cost);
                            Report();
                        }
                    });
                    lock (gate) { done++; doneCost += cell.Cost; }
                }
                catch (Exception e)
                {
                    lock (gate) { failures.Add(new CellFailure(cell.Cell.Name, e.Message.ReplaceLineEndings(" "))); doneCost += cell.Cost; }
                }
                finally
                {
                    lock (gate) { running.Remove(cell.Cell.Name); concurrency.Ended(cell); Report(); }
                }
            }
        }

        if (parallel == 1) Worker();
        else
        {
            var threads = Enumerable.Range(0, Math.Min(parallel, Math.Max(1, todo.Count))).Select(_ => new Thread(Worker) { IsBackground = true }).ToList();
            foreach (var t in threads) t.Start();
            foreach (var t in threads) t.Join();
        }
        return failures;
    }
}
