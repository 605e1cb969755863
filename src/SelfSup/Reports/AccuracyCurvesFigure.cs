namespace SelfSup.Reports;

/// <summary>
/// Paper Fig. 3, from the periodic evaluations (<c>evals.jsonl</c>): accuracy against pretraining epoch
/// and against pretraining time (CPU or wall-clock seconds by <see cref="TimeAxis"/>), one line per configuration, mean ± std over seeds at each evaluated
/// epoch; <c>&lt;study&gt;-accuracy-vs-epoch.png</c>, <c>&lt;study&gt;-accuracy-vs-time.png</c> and a table.
/// </summary>
public static class AccuracyCurvesFigure
{
    public static void Write(ReportMarkdown md, List<RunGroup> members, List<string> keys, string slug)
    {
        var metric = md.EvalMetric;
        var runs = members.SelectMany(g => g.Runs).ToList();
        var axis = TimeAxis.ForEvaluations(runs);
        var byEpoch = new List<Series>();
        var byTime = new List<Series>();
        foreach (var g in members)
        {
            var epochs = g.Runs.SelectMany(r => r.Evals.Select(e => e.Epoch)).Distinct().Order().ToList();
            var rows = epochs.Select(epoch =>
            {
                var at = g.Runs.Select(r => r.Evals.FirstOrDefault(e => e.Epoch == epoch)).Where(e => e is not null).ToList();
                return (Epoch: epoch, Acc: Stat.Of(at.Select(e => metric(e!))), Time: at.Average(e => axis.Seconds(e!)));
            }).Where(r => r.Acc is not null).ToList();
            if (rows.Count == 0) continue;
            string label = RunGroups.Label(g.Settings, keys);
            byEpoch.Add(new Series(label, rows.Select(r => (double)r.Epoch).ToArray(), rows.Select(r => r.Acc!.Value.Mean).ToArray(), rows.Select(r => r.Acc!.Value.Std).ToArray()));
            byTime.Add(new Series(label, rows.Select(r => r.Time).ToArray(), rows.Select(r => r.Acc!.Value.Mean).ToArray(), rows.Select(r => r.Acc!.Value.Std).ToArray()));
        }
        if (byEpoch.Count == 0)
        {
            md.Paragraph("No periodic evaluations (`evals.jsonl`) in these runs: pretrain with periodic evaluation (`eval_every: K` in a sweep, `--eval-every K` on the command line) for curves.");
            return;
        }
        int probeEpochs = members.SelectMany(g => g.Runs).SelectMany(r => r.Evals).Select(e => e.ProbeEpochs).DefaultIfEmpty().Max();
        string yLabel = $"{md.MetricName}, periodic eval";
        string fileEpoch = $"{slug}-accuracy-vs-epoch.png", fileTime = $"{slug}-accuracy-vs-time.png";
        Plots.SaveLines(md.PlotPath(fileEpoch), "Accuracy vs pretraining epoch (mean ± std over seeds)", "pretraining epoch", yLabel, byEpoch,
            Plots.IntegerTicks(byEpoch.SelectMany(s => s.X)), yRange: (0, 100));
        Plots.SaveLines(md.PlotPath(fileTime), $"Accuracy vs pretraining {axis.Name}", axis.PlotLabel(runs), yLabel, byTime,
            yRange: (0, 100));
        md.Paragraph($"Accuracy during pretraining (paper Fig. 3), from the periodic evaluations ({probeEpochs}-epoch probe):");
        md.Image(fileEpoch, "accuracy vs epoch");
        md.Paragraph(axis.Describe(runs));
        md.Image(fileTime, "accuracy vs time");
        md.Line($"| configuration | epoch | {axis.Label} | accuracy (%) |");
        md.Line("|---|---:|---:|---:|");
        for (int i = 0; i < byEpoch.Count; i++)
            for (int k = 0; k < byEpoch[i].X.Length; k++)
                md.Line($"| {byEpoch[i].Label} | {byEpoch[i].X[k]:F0} | {byTime[i].X[k]:F1} | {ReportMarkdown.Fmt(byEpoch[i].Y[k], byEpoch[i].YError![k])} |");
        md.Line();
    }
}
