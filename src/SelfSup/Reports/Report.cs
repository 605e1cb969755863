using SelfSup.Evaluation;
using SelfSup.Training;
using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>
/// <c>selfsup report DIR</c>: reads every run under DIR (<see cref="ReportLoader"/>; a sweep's cells, or any
/// run directories), groups runs that differ only in their seed (<see cref="RunGroups"/>; mean ± sample std
/// over seeds), and writes <c>report.md</c> with Markdown tables and PNG plots, one type per section:
/// <see cref="ConfigurationsTable"/>; per study, its figure chosen by what varies in it — proj_dim →
/// <see cref="AccuracyVsProjectorDimFigure"/> (Fig. 2), views at one fraction → <see cref="AccuracyCurvesFigure"/>
/// (Fig. 3), fraction → <see cref="ViewsTimesFractionFigure"/> (Fig. 4); <see cref="ParetoFigure"/> (Fig. 5);
/// <see cref="ClaimsTable"/> (each claim held, not held or not separable from noise); <see cref="TimeToTargetTable"/>
/// (Tables 2–3); <see cref="SpectrumTable"/>.
/// </summary>
public static class Report
{
    public static Func<EvalRecord, double?> Metric(string metric) => metric == "knn" ? e => e.KnnTop1 : e => e.ProbeTop1;

    public static ReportResult Build(string dir, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        if (options.Metric is not ("probe" or "knn")) throw new SelfSupError($"`metric` '{options.Metric}' must be probe or knn");
        dir = Path.GetFullPath(dir);
        var runs = ReportLoader.LoadAll(dir);
        string outDir = Path.GetFullPath(options.OutDir ?? dir);
        string plotDir = Path.Combine(outDir, "plots");
        Directory.CreateDirectory(plotDir);

        var md = new ReportMarkdown(plotDir, options.Metric);
        var groups = RunGroups.Group(runs);
        var (sweepName, studyOrder) = ReportLoader.ReadIndex(dir);
        md.Paragraph($"# SelfSup report: {sweepName ?? Path.GetFileName(dir)}");
        md.Paragraph($"{runs.Count} runs in {groups.Count} configurations under `{dir}`. Runs that differ only in their seed are one " +
            "configuration: numbers are the mean ± sample standard deviation over seeds (just the mean for one seed; *n* = seeds). " +
            $"Accuracy is the {md.MetricName} on the test split, from each run's final readout; a run without one shows its last periodic " +
            "evaluation, marked *periodic*, and is never compared with final readouts. Pretraining time is CPU seconds of pretraining when " +
            "every run compared records them, else wall-clock seconds (periodic evaluation excluded either way); each time comparison says which, " +
            "and whether sweep cells ran side by side. Curves come from each run's `evals.jsonl` (`eval_every`), whose probe is the short periodic one.");
        var shared = RunGroups.SharedSettings(groups);
        if (shared.Count > 0) md.Paragraph($"Shared settings: {string.Join(", ", shared.Select(kv => $"`{kv.Key}={kv.Value}`"))}.");

        ConfigurationsTable.Write(md, groups);
        StudySections(md, groups, studyOrder);
        ClaimsTable.Write(md, groups);
        ParetoFigure.Write(md, groups);
        double? target = options.Target ?? TimeToAccuracy.DefaultTarget(runs.Select(r => r.Evals), md.EvalMetric);
        TimeToTargetTable.Write(md, groups, target, options.Target is null);
        SpectrumTable.Write(md, groups);

        string mdPath = Path.Combine(outDir, "report.md");
        RunDirectory.WriteAtomic(mdPath, md.ToString());
        return new ReportResult(mdPath, md.Plots, runs.Count, groups.Count, target);
    }

    /// <summary>One section per study (or one for all runs when there are no studies), its figure chosen by what varies in it.</summary>
    private static void StudySections(ReportMarkdown md, List<RunGroup> groups, List<string> studyOrder)
    {
        var studies = groups.SelectMany(g => g.Studies).Distinct().OrderBy(s => studyOrder.IndexOf(s) is var i && i >= 0 ? i : int.MaxValue).ToList();
        bool byStudy = studies.Count > 0;
        foreach (var study in byStudy ? studies : [""])
        {
            var members = byStudy ? groups.Where(g => g.Studies.Contains(study)).ToList() : groups;
            if (members.Count < 2 && byStudy && studies.Count > 1) continue;
            string slug = byStudy ? ReportMarkdown.Slug(study) : "runs";
            md.Paragraph($"## Study: {(byStudy ? study : "all runs")}");
            var keys = ConfigComparison.VaryingKeys(members.Select(g => g.Settings).ToList());
            bool drew = false;
            if (keys.Contains("proj_dim")) { AccuracyVsProjectorDimFigure.Write(md, members, keys, slug); drew = true; }
            if (keys.Contains("views") && !keys.Contains("fraction")) { AccuracyCurvesFigure.Write(md, members, keys, slug); drew = true; }
            if (keys.Contains("fraction")) { ViewsTimesFractionFigure.Write(md, members, slug); AccuracyCurvesFigure.Write(md, members, keys, slug); drew = true; }
            if (!drew)
            {
                md.Paragraph(keys.Count == 0 ? "One configuration; see the tables above." : $"Varies {string.Join(", ", keys)}: no dedicated figure; curves below.");
                if (members.Any(g => g.Runs.Any(r => r.Evals.Count > 0))) AccuracyCurvesFigure.Write(md, members, keys, slug);
            }
        }
    }
}
