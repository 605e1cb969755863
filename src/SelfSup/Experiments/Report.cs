using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelfSup.Evaluation;
using SelfSup.Training;

namespace SelfSup.Experiments;

/// <summary>Options of <see cref="Report.Build"/>.</summary>
/// <param name="Target">Target accuracy (%) for the time-to-accuracy table; null = the lowest best accuracy over runs.</param>
/// <param name="Metric">"probe" (linear probe) or "knn": which accuracy the tables and plots use.</param>
/// <param name="OutDir">Where report.md and plots/ go; null = the swept folder itself.</param>
public sealed record ReportOptions(double? Target = null, string Metric = "probe", string? OutDir = null);

/// <summary>What <see cref="Report.Build"/> wrote.</summary>
public sealed record ReportResult(string MarkdownPath, IReadOnlyList<string> Plots, int Runs, int Configurations, double? Target);

/// <summary>Mean and spread over seeds: sample standard deviation (0 for one seed), min and max.</summary>
public readonly record struct Stat(double Mean, double Std, double Min, double Max, int Count)
{
    public static Stat? Of(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is not null && double.IsFinite(x.Value)).Select(x => x!.Value).ToArray();
        if (v.Length == 0) return null;
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new Stat(mean, std, v.Min(), v.Max(), v.Length);
    }

    /// <summary>"mean ± std" (just the mean for one seed).</summary>
    public string Format(string format = "F2") => Count > 1
        ? $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Std.ToString(format, CultureInfo.InvariantCulture)}"
        : Mean.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>A finished or partial run as the report sees it.</summary>
public sealed record RunRecord(string Name, string Path, TrainConfig Config, JsonObject Summary, IReadOnlyList<EvalRecord> Evals,
    string[] Studies, int? UniqueImages)
{
    public double? Number(string key) => Summary[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>Final accuracy: the full readout in summary.json, else the last periodic evaluation.</summary>
    public double? Final(string metric) => Number(metric == "knn" ? "knn_top1" : "probe_top1") ?? (Evals.Count > 0 ? Report.Metric(metric)(Evals[^1]) : null);

    public double? PretrainSeconds => Number("pretrain_seconds") ?? Evals.LastOrDefault()?.PretrainSeconds;
    public double? ImagesSeen => Number("images_seen") ?? Evals.LastOrDefault()?.ImagesSeen;

    /// <summary>Reads a run directory (config.json, summary.json, evals.jsonl, subset.json, cell.json).</summary>
    public static RunRecord Load(string path)
    {
        var run = new RunDirectory(path);
        var config = run.ReadConfig();
        var summary = run.ReadSummary();
        string[] studies = summary["sweep_studies"] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").ToArray() : [];
        if (studies.Length == 0 && File.Exists(System.IO.Path.Combine(path, SweepRunner.CellFile)))
            studies = SweepRunner.ReadSpec(path).Studies;
        int? unique = null;
        var subsetPath = System.IO.Path.Combine(path, "subset.json");
        if (File.Exists(subsetPath))
        {
            try { unique = JsonNode.Parse(File.ReadAllText(subsetPath))?["count"]?.GetValue<int>(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { }
        }
        return new RunRecord(System.IO.Path.GetFileName(run.Path), run.Path, config, summary, EvalRecord.ReadAll(path), studies, unique);
    }
}

/// <summary>Runs that differ only in their seed (and operational settings): one configuration of a study.</summary>
public sealed record RunGroup(string Label, JsonObject Settings, IReadOnlyList<RunRecord> Runs)
{
    public TrainConfig Config => Runs[0].Config;
    public IEnumerable<string> Studies => Runs.SelectMany(r => r.Studies).Distinct();
}

/// <summary>
/// <c>selfsup report DIR</c>: reads every run under DIR (a sweep's cells, or any run directories), groups
/// runs that differ only in their seed (mean ± sample std over seeds), and writes <c>report.md</c> with
/// Markdown tables and PNG plots: accuracy vs projector dimension, fixed β vs β = c/d (paper Fig. 2);
/// accuracy vs epoch and vs pretraining time for each M (Fig. 3); accuracy at equal M × fraction (Fig. 4);
/// error vs runtime with the Pareto frontier (Fig. 5); time to a target accuracy (Tables 2–3); spectra.
/// A study's figure follows from what varies in it: proj_dim → Fig. 2; views at one fraction → Fig. 3;
/// fraction → Fig. 4.
/// </summary>
public static class Report
{
    /// <summary>Settings that do not define a configuration: runs differing only in these are seeds of one cell.</summary>
    public static readonly HashSet<string> GroupIgnore =
        ["seed", "threads", "log_every", "device", "data_dir", "eval_every", "eval_probe_epochs", "eval_images", "time_budget_minutes"];

    public static Func<EvalRecord, double?> Metric(string metric) => metric == "knn" ? e => e.KnnTop1 : e => e.ProbeTop1;

    public static ReportResult Build(string dir, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        if (options.Metric is not ("probe" or "knn")) throw new SelfSupError($"--metric '{options.Metric}' must be probe or knn");
        dir = Path.GetFullPath(dir);
        if (!Directory.Exists(dir)) throw new SelfSupError($"'{dir}' does not exist; pass the --out folder of a sweep (or a folder of runs)");
        var runs = FindRuns(dir).Select(RunRecord.Load).ToList();
        if (runs.Count == 0) throw new SelfSupError($"no runs under '{dir}' (no folder with config.json); run `selfsup sweep CONFIG --out {dir}` first");
        string outDir = Path.GetFullPath(options.OutDir ?? dir);
        string plotDir = Path.Combine(outDir, "plots");
        Directory.CreateDirectory(plotDir);

        var metric = Metric(options.Metric);
        string metricName = options.Metric == "knn" ? "kNN top-1 accuracy (%)" : "linear-probe top-1 accuracy (%)";
        var groups = Group(runs);
        var plots = new List<string>();
        var md = new StringBuilder();
        var (sweepName, studyOrder) = ReadIndex(dir);
        md.AppendLine($"# SelfSup report: {sweepName ?? Path.GetFileName(dir)}");
        md.AppendLine();
        md.AppendLine($"{runs.Count} runs in {groups.Count} configurations under `{dir}`. Runs that differ only in their seed are one " +
            "configuration: numbers are the mean ± sample standard deviation over seeds (just the mean for one seed; *n* = seeds). " +
            $"Accuracy is the {metricName} on the test split; pretraining time is wall-clock seconds of pretraining alone " +
            "(periodic evaluation excluded). Curves come from each run's `evals.jsonl` (`--eval-every`), whose probe is the short periodic one.");
        md.AppendLine();
        var shared = SharedSettings(groups);
        if (shared.Count > 0) md.AppendLine($"Shared settings: {string.Join(", ", shared.Select(kv => $"`{kv.Key}={kv.Value}`"))}.").AppendLine();

        // 1. every configuration
        md.AppendLine("## All configurations").AppendLine();
        md.AppendLine("| configuration | n | linear probe top-1 (%) | kNN top-1 (%) | pretraining time (s) | images seen | α (features) | effective rank (features) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in groups)
        {
            md.AppendLine($"| {g.Label} | {g.Runs.Count} | {Fmt(Stat.Of(g.Runs.Select(r => r.Final("probe"))))} | {Fmt(Stat.Of(g.Runs.Select(r => r.Final("knn"))))} | " +
                $"{Fmt(Stat.Of(g.Runs.Select(r => r.PretrainSeconds)), "F1")} | {Fmt(Stat.Of(g.Runs.Select(r => r.ImagesSeen)), "F0")} | " +
                $"{Fmt(Stat.Of(g.Runs.Select(r => r.Evals.LastOrDefault()?.Alpha)))} | {Fmt(Stat.Of(g.Runs.Select(r => (double?)r.Evals.LastOrDefault()?.EffectiveRank)), "F1")} |");
        }
        md.AppendLine();

        // 2. one section per study, its figure chosen by what varies in it
        var studies = groups.SelectMany(g => g.Studies).Distinct().OrderBy(s => studyOrder.IndexOf(s) is var i && i >= 0 ? i : int.MaxValue).ToList();
        bool byStudy = studies.Count > 0;
        foreach (var study in byStudy ? studies : [""])
        {
            var members = byStudy ? groups.Where(g => g.Studies.Contains(study)).ToList() : groups;
            if (members.Count < 2 && byStudy && studies.Count > 1) continue;
            string slug = byStudy ? Slug(study) : "runs";
            md.AppendLine($"## Study: {(byStudy ? study : "all runs")}").AppendLine();
            var keys = SweepConfig.VaryingKeys(members.Select(g => g.Settings).ToList());
            bool drew = false;
            if (keys.Contains("proj_dim")) { ProjectorSection(md, members, keys, slug, plotDir, plots, options.Metric, metricName); drew = true; }
            if (keys.Contains("views") && !keys.Contains("fraction")) { CurvesSection(md, members, keys, slug, plotDir, plots, metric, metricName); drew = true; }
            if (keys.Contains("fraction")) { FractionSection(md, members, keys, slug, plotDir, plots, options.Metric, metricName); CurvesSection(md, members, keys, slug, plotDir, plots, metric, metricName); drew = true; }
            if (!drew)
            {
                md.AppendLine(keys.Count == 0 ? "One configuration; see the tables above." : $"Varies {string.Join(", ", keys)}: no dedicated figure; curves below.").AppendLine();
                if (members.Any(g => g.Runs.Any(r => r.Evals.Count > 0))) CurvesSection(md, members, keys, slug, plotDir, plots, metric, metricName);
            }
        }

        // 3. error vs runtime, Pareto frontier (Fig. 5)
        ParetoSection(md, groups, plotDir, plots, options.Metric, metricName);

        // 4. time to target accuracy (Tables 2–3)
        double? target = options.Target ?? TimeToAccuracy.DefaultTarget(runs.Select(r => r.Evals), metric);
        TargetSection(md, groups, target, options.Target is null, metric, metricName);

        // 5. spectra at the last evaluation
        SpectrumSection(md, groups);

        string mdPath = Path.Combine(outDir, "report.md");
        RunDirectory.WriteAtomic(mdPath, md.ToString());
        return new ReportResult(mdPath, plots, runs.Count, groups.Count, target);
    }

    /// <summary>Run directories: DIR itself when it is one, else its sub-folders (two levels) holding config.json.</summary>
    public static IReadOnlyList<string> FindRuns(string dir)
    {
        if (File.Exists(Path.Combine(dir, "config.json"))) return [dir];
        var found = new List<string>();
        foreach (var sub in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(sub, "config.json"))) found.Add(sub);
            else found.AddRange(Directory.GetDirectories(sub).Order(StringComparer.Ordinal).Where(d => File.Exists(Path.Combine(d, "config.json"))));
        }
        return found;
    }

    /// <summary>Groups runs by all settings except <see cref="GroupIgnore"/>; labels name the settings that vary between groups.</summary>
    public static List<RunGroup> Group(IReadOnlyList<RunRecord> runs)
    {
        var byKey = new List<(JsonObject Settings, List<RunRecord> Runs)>();
        foreach (var run in runs)
        {
            var settings = SweepConfig.Semantic(run.Config, GroupIgnore);
            var index = byKey.FindIndex(g => JsonNode.DeepEquals(g.Settings, settings));
            if (index < 0) byKey.Add((settings, [run]));
            else byKey[index].Runs.Add(run);
        }
        var varying = SweepConfig.VaryingKeys(byKey.Select(g => g.Settings).ToList());
        return byKey.Select(g => new RunGroup(Label(g.Settings, varying), g.Settings, g.Runs.OrderBy(r => r.Config.Seed).ToList())).ToList();
    }

    /// <summary>A readable label from the given keys, e.g. "d = 64, β = c/d (c = 4), M = 2".</summary>
    public static string Label(JsonObject settings, IEnumerable<string> keys)
    {
        var parts = new List<string>();
        foreach (var key in keys)
        {
            string v = SweepConfig.Display(settings[key]);
            parts.Add(key switch
            {
                "proj_dim" => $"d = {v}",
                "beta" => v == "auto" ? $"β = c/d (c = {SweepConfig.Display(settings["beta_c"])})" : $"fixed β = {v}",
                "beta_c" => $"c = {v}",
                "views" => $"M = {v}",
                "fraction" => $"fraction {v}",
                "method" => v,
                _ => $"{key} = {v}",
            });
        }
        return parts.Count == 0 ? "all runs" : string.Join(", ", parts);
    }

    /// <summary>A compact label for chart annotations, e.g. "d64 β=c/d M4 f0.5".</summary>
    public static string ShortLabel(JsonObject settings, IEnumerable<string> keys) => string.Join(" ", keys.Select(key =>
    {
        string v = SweepConfig.Display(settings[key]);
        return key switch
        {
            "proj_dim" => $"d{v}", "beta" => v == "auto" ? "β=c/d" : $"β={v}", "beta_c" => $"c{v}", "views" => $"M{v}",
            "fraction" => $"f{v}", "method" => v, _ => $"{key}={v}",
        };
    }));

    private static void ProjectorSection(StringBuilder md, List<RunGroup> members, List<string> keys, string slug, string plotDir, List<string> plots,
        string metric, string metricName)
    {
        var seriesKeys = keys.Where(k => k != "proj_dim").ToList();
        var bySeries = members.GroupBy(g => seriesKeys.Count == 0 ? "accuracy (%)" : Label(g.Settings, seriesKeys)).ToList();
        var series = new List<Series>();
        var dims = members.Select(g => (double)g.Config.ProjDim).Distinct().Order().ToList();
        md.AppendLine("Accuracy against the projector's output dimension d (paper Fig. 2): a fixed orthogonality weight β against β = c/d.").AppendLine();
        md.AppendLine($"| d | {string.Join(" | ", bySeries.Select(s => s.Key))} |");
        md.AppendLine($"|---:|{string.Concat(bySeries.Select(_ => "---:|"))}");
        foreach (var d in dims)
            md.AppendLine($"| {d} | {string.Join(" | ", bySeries.Select(s => Fmt(s.Where(g => g.Config.ProjDim == d).Select(g => Stat.Of(g.Runs.Select(r => r.Final(metric)))).FirstOrDefault())))} |");
        md.AppendLine();
        foreach (var s in bySeries)
        {
            var points = s.OrderBy(g => g.Config.ProjDim).Select(g => (D: (double)g.Config.ProjDim, S: Stat.Of(g.Runs.Select(r => r.Final(metric))))).Where(p => p.S is not null).ToList();
            series.Add(new Series(seriesKeys.Count == 0 ? $"β = {SweepConfig.Display(s.First().Settings["beta"])}" : s.Key, points.Select(p => Math.Log2(p.D)).ToArray(),
                points.Select(p => p.S!.Value.Mean).ToArray(), points.Select(p => p.S!.Value.Std).ToArray()));
        }
        string file = $"{slug}-accuracy-vs-projector-dim.png";
        Plots.SaveLines(Path.Combine(plotDir, file), "Accuracy vs projector dimension (mean ± std over seeds)",
            "projector output dimension d (log scale)", metricName, series, Plots.Log2Ticks(dims), yRange: (0, 100));
        plots.Add(Path.Combine(plotDir, file));
        md.AppendLine($"![accuracy vs projector dimension](plots/{file})").AppendLine();
    }

    private static void CurvesSection(StringBuilder md, List<RunGroup> members, List<string> keys, string slug, string plotDir, List<string> plots,
        Func<EvalRecord, double?> metric, string metricName)
    {
        var labelKeys = keys.Count == 0 ? new List<string>() : keys;
        var byEpoch = new List<Series>();
        var byTime = new List<Series>();
        foreach (var g in members)
        {
            var epochs = g.Runs.SelectMany(r => r.Evals.Select(e => e.Epoch)).Distinct().Order().ToList();
            var rows = epochs.Select(epoch =>
            {
                var at = g.Runs.Select(r => r.Evals.FirstOrDefault(e => e.Epoch == epoch)).Where(e => e is not null).ToList();
                return (Epoch: epoch, Acc: Stat.Of(at.Select(e => metric(e!))), Time: at.Average(e => e!.PretrainSeconds));
            }).Where(r => r.Acc is not null).ToList();
            if (rows.Count == 0) continue;
            string label = Label(g.Settings, labelKeys);
            byEpoch.Add(new Series(label, rows.Select(r => (double)r.Epoch).ToArray(), rows.Select(r => r.Acc!.Value.Mean).ToArray(), rows.Select(r => r.Acc!.Value.Std).ToArray()));
            byTime.Add(new Series(label, rows.Select(r => r.Time).ToArray(), rows.Select(r => r.Acc!.Value.Mean).ToArray(), rows.Select(r => r.Acc!.Value.Std).ToArray()));
        }
        if (byEpoch.Count == 0)
        {
            md.AppendLine("No periodic evaluations (`evals.jsonl`) in these runs: pretrain with `--eval-every K` (sweep: `eval_every: K`) for curves.").AppendLine();
            return;
        }
        int probeEpochs = members.SelectMany(g => g.Runs).SelectMany(r => r.Evals).Select(e => e.ProbeEpochs).DefaultIfEmpty().Max();
        string yLabel = $"{metricName}, periodic eval";
        string fileEpoch = $"{slug}-accuracy-vs-epoch.png", fileTime = $"{slug}-accuracy-vs-time.png";
        Plots.SaveLines(Path.Combine(plotDir, fileEpoch), "Accuracy vs pretraining epoch (mean ± std over seeds)", "pretraining epoch", yLabel, byEpoch,
            Plots.IntegerTicks(byEpoch.SelectMany(s => s.X)), yRange: (0, 100));
        Plots.SaveLines(Path.Combine(plotDir, fileTime), "Accuracy vs pretraining wall-clock time", "pretraining time (s), evaluation excluded", yLabel, byTime,
            yRange: (0, 100));
        plots.Add(Path.Combine(plotDir, fileEpoch)); plots.Add(Path.Combine(plotDir, fileTime));
        md.AppendLine($"Accuracy during pretraining (paper Fig. 3), from the periodic evaluations ({probeEpochs}-epoch probe):").AppendLine();
        md.AppendLine($"![accuracy vs epoch](plots/{fileEpoch})").AppendLine();
        md.AppendLine($"![accuracy vs time](plots/{fileTime})").AppendLine();
        md.AppendLine("| configuration | epoch | pretraining time (s) | accuracy (%) |");
        md.AppendLine("|---|---:|---:|---:|");
        for (int i = 0; i < byEpoch.Count; i++)
            for (int k = 0; k < byEpoch[i].X.Length; k++)
                md.AppendLine($"| {byEpoch[i].Label} | {byEpoch[i].X[k]:F0} | {byTime[i].X[k]:F1} | {Fmt(byEpoch[i].Y[k], byEpoch[i].YError![k])} |");
        md.AppendLine();
    }

    private static void FractionSection(StringBuilder md, List<RunGroup> members, List<string> keys, string slug, string plotDir, List<string> plots,
        string metric, string metricName)
    {
        var ordered = members.OrderBy(g => g.Config.Views).ThenByDescending(g => g.Config.Fraction).ToList();
        md.AppendLine("Views against unique data (paper Fig. 4): M views on a fraction of the training images; equal M × fraction means equal views seen per epoch.").AppendLine();
        md.AppendLine("| configuration | M | fraction | M × fraction | unique images | images seen | accuracy (%) | pretraining time (s) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var labels = new List<string>(); var values = new List<double>(); var errors = new List<double>();
        foreach (var g in ordered)
        {
            var acc = Stat.Of(g.Runs.Select(r => r.Final(metric)));
            double product = g.Config.Views * g.Config.Fraction;
            md.AppendLine($"| {g.Label} | {g.Config.Views} | {g.Config.Fraction.ToString("G", CultureInfo.InvariantCulture)} | {product.ToString("G4", CultureInfo.InvariantCulture)} | " +
                $"{Fmt(Stat.Of(g.Runs.Select(r => (double?)r.UniqueImages)), "F0")} | {Fmt(Stat.Of(g.Runs.Select(r => r.ImagesSeen)), "F0")} | {Fmt(acc)} | {Fmt(Stat.Of(g.Runs.Select(r => r.PretrainSeconds)), "F1")} |");
            if (acc is null) continue;
            labels.Add($"M={g.Config.Views}, {g.Config.Fraction * 100:G3}%");
            values.Add(acc.Value.Mean); errors.Add(acc.Value.Std);
        }
        md.AppendLine();
        string file = $"{slug}-accuracy-at-equal-views-x-fraction.png";
        Plots.SaveBars(Path.Combine(plotDir, file), "Accuracy at M × fraction (views × share of training images)",
            "views per image M, share of the training images", metricName, "final readout, mean ± std over seeds", labels, values, errors);
        plots.Add(Path.Combine(plotDir, file));
        md.AppendLine($"![accuracy at equal M x fraction](plots/{file})").AppendLine();
    }

    private static void ParetoSection(StringBuilder md, List<RunGroup> groups, string plotDir, List<string> plots, string metric, string metricName)
    {
        var points = new List<(string Label, double X, double Y, double XError, double YError)>();
        var shortLabels = new List<string>();
        var varying = SweepConfig.VaryingKeys(groups.Select(g => g.Settings).ToList());
        foreach (var g in groups)
        {
            var acc = Stat.Of(g.Runs.Select(r => r.Final(metric)));
            var time = Stat.Of(g.Runs.Select(r => r.PretrainSeconds));
            if (acc is null || time is null) continue;
            points.Add((g.Label, time.Value.Mean, 100 - acc.Value.Mean, time.Value.Std, acc.Value.Std));
            shortLabels.Add(ShortLabel(g.Settings, varying));
        }
        md.AppendLine("## Error vs runtime").AppendLine();
        if (points.Count == 0) { md.AppendLine("No run has both an accuracy and a pretraining time yet.").AppendLine(); return; }
        var frontier = ParetoFrontier.Indices(points.Select(p => (p.X, p.Y)).ToList());
        string file = "error-vs-runtime-pareto.png";
        Plots.SavePareto(Path.Combine(plotDir, file), "Error vs pretraining time, Pareto frontier marked",
            "pretraining time (s)", $"test error (%) = 100 − {metricName.Replace(" (%)", "")}",
            points.Select((p, i) => p with { Label = shortLabels[i] }).ToList(), frontier);
        plots.Add(Path.Combine(plotDir, file));
        md.AppendLine("Test error against pretraining wall-clock time (paper Fig. 5). Configurations on the Pareto frontier — no other is both faster and more accurate — are marked ★.").AppendLine();
        md.AppendLine($"![error vs runtime](plots/{file})").AppendLine();
        md.AppendLine("| configuration | pretraining time (s) | error (%) | frontier |");
        md.AppendLine("|---|---:|---:|:---:|");
        foreach (int i in Enumerable.Range(0, points.Count).OrderBy(i => points[i].X))
            md.AppendLine($"| {points[i].Label} | {Fmt(points[i].X, points[i].XError, "F1")} | {Fmt(points[i].Y, points[i].YError)} | {(frontier.Contains(i) ? "★" : "")} |");
        md.AppendLine();
    }

    private static void TargetSection(StringBuilder md, List<RunGroup> groups, double? target, bool defaulted, Func<EvalRecord, double?> metric, string metricName)
    {
        md.AppendLine("## Time to target accuracy").AppendLine();
        if (target is null) { md.AppendLine("No periodic evaluations: pretrain with `--eval-every K` to measure time to accuracy.").AppendLine(); return; }
        md.AppendLine($"Pretraining time until the periodic {metricName} first reached **{target.Value.ToString("F1", CultureInfo.InvariantCulture)} %** " +
            $"(paper Tables 2–3){(defaulted ? "; the default target is the lowest best accuracy over all runs, so every run reaches it (set another with `--target`)" : "")}. " +
            "Resolution: the evaluation interval. Mean ± std over the seeds that reached it.").AppendLine();
        md.AppendLine("| configuration | reached (seeds) | pretraining time (s) | epoch | images seen |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var g in groups)
        {
            var hits = g.Runs.Select(r => TimeToAccuracy.First(r.Evals, target.Value, metric)).ToList();
            var reached = hits.Where(h => h is not null).Select(h => h!).ToList();
            md.AppendLine(reached.Count == 0
                ? $"| {g.Label} | 0/{g.Runs.Count} | not reached | — | — |"
                : $"| {g.Label} | {reached.Count}/{g.Runs.Count} | {Fmt(Stat.Of(reached.Select(h => (double?)h.Seconds)), "F1")} | " +
                  $"{Fmt(Stat.Of(reached.Select(h => (double?)h.Epoch)), "F1")} | {Fmt(Stat.Of(reached.Select(h => (double?)h.ImagesSeen)), "F0")} |");
        }
        md.AppendLine();
    }

    private static void SpectrumSection(StringBuilder md, List<RunGroup> groups)
    {
        md.AppendLine("## Spectrum").AppendLine();
        if (!groups.Any(g => g.Runs.Any(r => r.Evals.Count > 0))) { md.AppendLine("No periodic evaluations, so no spectra; run `selfsup spectrum RUN_DIR` on a run.").AppendLine(); return; }
        md.AppendLine("Covariance spectra of the test split at the last evaluation: power-law decay α (λ_i ∝ i^−α) and effective rank exp(−Σ p_i log p_i), p = λ/Σλ, " +
            "for backbone features and projector embeddings (`selfsup spectrum RUN_DIR` plots one run's eigenvalues).").AppendLine();
        md.AppendLine("| configuration | α (features) | effective rank (features) | α (embeddings) | effective rank (embeddings) |");
        md.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var g in groups)
        {
            var last = g.Runs.Select(r => r.Evals.LastOrDefault()).Where(e => e is not null).Select(e => e!).ToList();
            md.AppendLine($"| {g.Label} | {Fmt(Stat.Of(last.Select(e => e.Alpha)))} | {Fmt(Stat.Of(last.Select(e => (double?)e.EffectiveRank)), "F1")} | " +
                $"{Fmt(Stat.Of(last.Select(e => e.EmbeddingAlpha)))} | {Fmt(Stat.Of(last.Select(e => (double?)e.EmbeddingEffectiveRank)), "F1")} |");
        }
        md.AppendLine();
    }

    private static Dictionary<string, string> SharedSettings(List<RunGroup> groups)
    {
        string[] show = ["dataset", "model", "width", "method", "proj_dim", "beta", "beta_c", "views", "fraction", "epochs", "steps", "batch_size", "optimizer", "lr"];
        var result = new Dictionary<string, string>();
        foreach (var key in show)
        {
            var first = groups[0].Settings[key];
            if (groups.All(g => JsonNode.DeepEquals(g.Settings[key], first))) result[key] = SweepConfig.Display(first);
        }
        return result;
    }

    private static (string? Name, List<string> Studies) ReadIndex(string dir)
    {
        var path = Path.Combine(dir, SweepRunner.IndexFile);
        if (!File.Exists(path)) return (null, []);
        try
        {
            var index = JsonNode.Parse(File.ReadAllText(path));
            return (index?["name"]?.GetValue<string>(), index?["studies"] is JsonArray a ? a.Select(s => s?.GetValue<string>() ?? "").ToList() : []);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return (null, []); }
    }

    private static string Slug(string text) =>
        new string(text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-') is { Length: > 0 } s ? s : "study";

    private static string Fmt(Stat? s, string format = "F2") => s is null ? "—" : s.Value.Format(format);

    private static string Fmt(double mean, double std, string format = "F2") =>
        std > 0 ? $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {std.ToString(format, CultureInfo.InvariantCulture)}" : mean.ToString(format, CultureInfo.InvariantCulture);
}
