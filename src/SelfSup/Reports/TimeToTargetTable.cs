using System.Globalization;

namespace SelfSup.Reports;

/// <summary>
/// Paper Tables 2–3: per configuration, the pretraining time, epoch and images seen until the periodic
/// accuracy first reached the target (<see cref="TimeToAccuracy"/>), over the seeds that reached it.
/// </summary>
public static class TimeToTargetTable
{
    public static void Write(ReportMarkdown md, List<RunGroup> groups, double? target, bool defaulted)
    {
        md.Paragraph("## Time to target accuracy");
        if (target is null) { md.Paragraph("No periodic evaluations: pretrain with periodic evaluation (`eval_every: K` in a sweep, `--eval-every K` on the command line) to measure time to accuracy."); return; }
        var runs = groups.SelectMany(g => g.Runs).ToList();
        var axis = TimeAxis.ForEvaluations(runs);
        md.Paragraph($"Pretraining {axis.Name} until the periodic {md.MetricName} first reached **{target.Value.ToString("F1", CultureInfo.InvariantCulture)} %** " +
            $"(paper Tables 2–3){(defaulted ? "; the default target is the lowest best accuracy over all runs, so every run reaches it (set another with `--target`)" : "")}. " +
            "Resolution: the evaluation interval. Mean ± std over the seeds that reached it.");
        md.Paragraph(axis.Describe(runs));
        md.Line($"| configuration | reached (seeds) | {axis.Label} | epoch | images seen |");
        md.Line("|---|---:|---:|---:|---:|");
        foreach (var g in groups)
        {
            var hits = g.Runs.Select(r => TimeToAccuracy.First(r.Evals, target.Value, md.EvalMetric, axis.Seconds)).ToList();
            var reached = hits.Where(h => h is not null).Select(h => h!).ToList();
            md.Line(reached.Count == 0
                ? $"| {g.Label} | 0/{g.Runs.Count} | not reached | — | — |"
                : $"| {g.Label} | {reached.Count}/{g.Runs.Count} | {ReportMarkdown.Fmt(Stat.Of(reached.Select(h => (double?)h.Seconds)), "F1")} | " +
                  $"{ReportMarkdown.Fmt(Stat.Of(reached.Select(h => (double?)h.Epoch)), "F1")} | {ReportMarkdown.Fmt(Stat.Of(reached.Select(h => (double?)h.ImagesSeen)), "F0")} |");
        }
        md.Line();
    }
}
