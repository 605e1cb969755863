using SelfSup.Evaluation;
using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>
/// The clock of one time comparison in the report (error vs runtime, accuracy vs time, time to target, the
/// tables' time columns). The rule: **CPU seconds** of pretraining — process CPU time spent in pretraining
/// steps, evaluation and checkpoint writing excluded (summary.json <c>pretrain_cpu_seconds</c>, evals.jsonl
/// <c>cpu_seconds</c>) — when every run in the comparison records them; otherwise **wall-clock seconds** of
/// pretraining (<c>pretrain_seconds</c>, evaluation excluded) for all of them. Never a mix of the two.
/// <para>
/// Why: sweep cells run side by side (the sweep's <c>parallel</c> setting) share the cores unevenly, so their wall-clock times
/// compare unequal conditions. CPU seconds leave out the time a cell waited for a core (not the slow-down
/// from shared caches and memory bandwidth). <see cref="Describe"/> names the clock and says, from the
/// cells' records (<see cref="CellSession"/>), whether cells ran side by side.
/// </para>
/// </summary>
/// <param name="Cpu">True: CPU seconds; false: wall-clock seconds.</param>
/// <param name="WithoutCpu">Runs of the comparison that do not record CPU seconds.</param>
public sealed record TimeAxis(bool Cpu, int WithoutCpu)
{
    /// <summary>The clock for comparing runs by their total pretraining time.</summary>
    public static TimeAxis ForRuns(IEnumerable<RunRecord> runs)
    {
        var list = runs.ToList();
        int without = list.Count(r => r.PretrainCpuSeconds is null);
        return new TimeAxis(list.Count > 0 && without == 0, without);
    }

    /// <summary>The clock for comparing runs along their periodic evaluations.</summary>
    public static TimeAxis ForEvaluations(IEnumerable<RunRecord> runs)
    {
        var withEvals = runs.Where(r => r.Evals.Count > 0).ToList();
        int without = withEvals.Count(r => r.Evals.Any(e => e.CpuSeconds is null));
        return new TimeAxis(withEvals.Count > 0 && without == 0, without);
    }

    public double? Seconds(RunRecord run) => Cpu ? run.PretrainCpuSeconds : run.PretrainSeconds;

    public double Seconds(EvalRecord e) => Cpu ? e.CpuSeconds ?? double.NaN : e.PretrainSeconds;

    /// <summary>"CPU time" or "wall-clock time".</summary>
    public string Name => Cpu ? "CPU time" : "wall-clock time";

    /// <summary>Axis label and column header with the unit.</summary>
    public string Label => $"pretraining {Name} (s)";

    /// <summary>A Markdown sentence: which clock and why, then whether the runs ran side by side.</summary>
    public string Describe(IReadOnlyCollection<RunRecord> runs)
    {
        string clock = Cpu
            ? "Time: **CPU seconds** of pretraining (process CPU time in pretraining steps; evaluation and checkpoint writing excluded), which every run here records."
            : "Time: **wall-clock seconds** of pretraining (evaluation excluded)" +
              (WithoutCpu > 0 ? $"; CPU seconds are not used because {WithoutCpu} of these runs {(WithoutCpu == 1 ? "does" : "do")} not record them." : ".");
        return $"{clock} {Conditions(runs)}";
    }

    /// <summary>The axis label of a plot of these runs: <see cref="Label"/>, and whether cells ran side by side.</summary>
    public string PlotLabel(IReadOnlyCollection<RunRecord> runs)
    {
        var (_, beside, settings) = SideBySide(runs);
        return beside > 0 ? $"{Label}; cells ran side by side ({settings})" : Label;
    }

    /// <summary>Whether the runs, as sweep cells, ran alone or beside other cells, with the sweep's <c>parallel</c> and threads settings.</summary>
    private string Conditions(IReadOnlyCollection<RunRecord> runs)
    {
        var (cells, beside, settings) = SideBySide(runs);
        if (cells == 0) return "There is no record of what ran beside these runs (not sweep cells, or cells of an older sweep).";
        string unknown = cells < runs.Count ? $" ({runs.Count - cells} runs have no such record)" : "";
        if (beside == 0) return $"Every cell ran alone, no other cell beside it ({settings}){unknown}.";
        return $"Cells ran side by side ({settings}): {beside} of {cells} cells ran beside other cells (each cell's cell.json names them){unknown}, " +
            (Cpu ? "so CPU seconds are the fairer comparison, though shared caches and memory still slow cells down unevenly."
                 : "so their wall-clock times compare unequal conditions.");
    }

    /// <summary>Runs with a record (sweep cells), how many of them ran beside another cell, and the <c>parallel</c>/threads settings seen.</summary>
    private static (int Cells, int Beside, string Settings) SideBySide(IReadOnlyCollection<RunRecord> runs)
    {
        var cells = runs.Where(r => r.Sessions.Count > 0).ToList();
        string settings = string.Join("; ", cells.SelectMany(r => r.Sessions)
            .Select(s => $"`parallel` {s.Parallel}, {(s.Threads > 0 ? $"{s.Threads} thread{(s.Threads == 1 ? "" : "s")}" : "all cores")} per cell").Distinct());
        return (cells.Count, cells.Count(r => r.Sessions.Any(s => s.Beside.Count > 0)), settings);
    }
}
