using System.Diagnostics;
using System.Text.Json;
using SelfSup.IO;
using SelfSup.Losses;

namespace SelfSup.Theory;

/// <summary>
/// The theory check: (1) one run per M in <see cref="TheoryOptions.Views"/> at d = <see cref="TheoryOptions.ProjDim"/>
/// with the chosen β, tracking alignment during training; (2) at the first M, one run per d in
/// <see cref="TheoryOptions.Dims"/> with β = c/d and one with the fixed <see cref="TheoryOptions.CompareBeta"/>
/// (a run of (1) with the same settings is reused). Writes <c>theory.jsonl</c> (one object per evaluation), the final
/// embeddings of the run with the last M as <see cref="TheoryOptions.FeaturesOut"/> (n × d float32), then
/// <see cref="TheoryReport"/>.
/// </summary>
public static class TheoryExperiment
{
    /// <summary>Everything the experiment measured.</summary>
    public sealed record Outcome(IReadOnlyList<TheoryRunRecord> ViewRuns, IReadOnlyList<TheoryRunRecord> DimRuns, double Seconds, string ReportPath);

    /// <summary>Runs the experiment; <paramref name="progress"/> gets (description, steps done, steps in all).</summary>
    public static Outcome Run(SyntheticWorld world, TheoryOptions o, Action<string, double, double>? progress = null)
    {
        if (o.Views.Length == 0 || o.Dims.Length == 0)
            throw new SelfSupError("`views` and `dims` need at least one value each, e.g. `views` 2,4,8 `dims` 2,4,8,16.");
        if (!double.IsFinite(o.CompareBeta) || o.CompareBeta <= 0)
            throw new SelfSupError($"`compare_beta` {o.CompareBeta} must be a positive number such as 0.005.");
        foreach (var dim in o.Dims.Append(o.ProjDim))
            if (dim < 1 || dim + 1 > world.Count)
                throw new SelfSupError($"projector dimension {dim} is not valid for n = {world.Count} latent images; use 1 ≤ d ≤ n − 1.");
        Directory.CreateDirectory(o.OutDir);
        var clock = Stopwatch.StartNew();
        using var exact = AugmentationKernel.FromTransition(world.Transition);
        string jsonlPath = Path.Combine(o.OutDir, "theory.jsonl");
        File.WriteAllText(jsonlPath, "");

        var plan = new List<(TheoryRunSettings Settings, bool ViewRun)>();
        foreach (int m in o.Views)
            plan.Add((Settings(o, m, o.ProjDim, o.Beta.Resolve(o.ProjDim), o.Beta.IsAuto ? "auto" : "fixed", tracked: true), true));
        foreach (int dim in o.Dims)
            foreach (var (beta, rule) in new[] { (o.Beta.IsAuto ? o.Beta.Resolve(dim) : OrthogonalityWeight.ForProjector(dim, o.Beta.C), "auto"), (o.CompareBeta, "fixed") })
                plan.Add((Settings(o, o.Views[0], dim, beta, rule, tracked: false), false));
        long totalSteps = plan.Sum(p => (long)p.Settings.Steps), doneSteps = 0;

        var done = new Dictionary<(int, int, double), TheoryRunRecord>();
        var viewRuns = new List<TheoryRunRecord>();
        var dimRuns = new List<TheoryRunRecord>();
        foreach (var (settings, viewRun) in plan)
        {
            var key = (settings.Views, settings.ProjDim, settings.Beta);
            if (!done.TryGetValue(key, out var record))
            {
                string what = $"M = {settings.Views}, d = {settings.ProjDim}, beta = {settings.Beta:G3}";
                long before = doneSteps;
                var result = TheoryRun.Run(world, exact, settings, (step, _) => progress?.Invoke(what, before + step, totalSteps));
                using (result.Embeddings)
                {
                    record = new TheoryRunRecord(settings, result.Evaluations);
                    if (viewRun && settings.Views == o.Views[^1])
                        NpyFile.Write(o.FeaturesOut, result.Embeddings);
                }
                File.AppendAllLines(jsonlPath, record.Evaluations.Select(e => JsonLine(e, viewRun ? "views" : "dims")));
                done[key] = record;
            }
            doneSteps += settings.Steps;
            (viewRun ? viewRuns : dimRuns).Add(record with { Settings = settings });
        }
        double seconds = clock.Elapsed.TotalSeconds;
        string report = TheoryReport.Write(o.OutDir, world, exact, o, viewRuns, dimRuns, seconds);
        return new Outcome(viewRuns, dimRuns, seconds, report);
    }

    private static TheoryRunSettings Settings(TheoryOptions o, int m, int d, double beta, string rule, bool tracked) =>
        new(m, d, beta, rule, o.Steps, o.BatchSize, o.Hidden, o.Method, o.Optimizer, o.LearningRate, o.WeightDecay,
            tracked ? o.EvalEvery : o.Steps, o.Seed, EmpiricalKernel: tracked);

    /// <summary>One <c>theory.jsonl</c> line; NaN (not measured) is written as null.</summary>
    public static string JsonLine(TheoryEvaluation e, string study) => JsonSerializer.Serialize(new
    {
        study,
        step = e.Step, views = e.Views, proj_dim = e.ProjDim, beta = e.Beta, beta_rule = e.BetaRule,
        alignment = e.Alignment, feature_alignment = e.FeatureAlignment,
        empirical_alignment = Nullable(e.EmpiricalAlignment), kernel_alignment = Nullable(e.KernelAlignment),
        loss = Nullable(e.Loss), spectrum = e.Spectrum, seconds = e.Seconds,
    });

    private static double? Nullable(double v) => double.IsFinite(v) ? v : null;
}
