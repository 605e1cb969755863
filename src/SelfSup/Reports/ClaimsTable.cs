using System.Globalization;
using System.Text.Json.Nodes;
using SelfSup.Experiments;

namespace SelfSup.Reports;

/// <summary>
/// The paper's claims, each read from pairs of configurations that differ only in what the claim is about, with the
/// spread over seeds: the difference of means ± its standard error (<see cref="Stat.Difference"/>). A claim that one
/// setting beats another is held when the difference exceeds two standard errors, not held when it falls short of
/// minus two, and not separable from noise in between; a claim that two settings match is held unless the first
/// falls more than two standard errors below the second. With one seed on either side there is no spread to judge by.
/// </summary>
public static class ClaimsTable
{
    /// <summary>How many standard errors a difference must exceed to count.</summary>
    public const double Errors = 2;

    /// <summary>The verdict on "a beats b" (or, with <paramref name="matches"/>, "a matches b") from the difference and its standard error.</summary>
    public static ClaimVerdict Judge(double difference, double standardError, bool matches = false) =>
        double.IsNaN(standardError) ? ClaimVerdict.NoSpread
        : matches ? (difference < -Errors * standardError ? ClaimVerdict.NotHeld : ClaimVerdict.Held)
        : difference > Errors * standardError ? ClaimVerdict.Held
        : difference < -Errors * standardError ? ClaimVerdict.NotHeld
        : ClaimVerdict.NotSeparable;

    public static string Describe(ClaimVerdict v) => v switch
    {
        ClaimVerdict.Held => "**held**",
        ClaimVerdict.NotHeld => "**not held**",
        ClaimVerdict.NotSeparable => "not separable from noise",
        _ => "no spread to judge (one seed)",
    };

    /// <summary>Writes the "Claims" section: one row per comparison the runs allow, or a line saying none does.</summary>
    public static void Write(ReportMarkdown md, IReadOnlyList<RunGroup> groups)
    {
        var readout = ReadoutComparison.Choose(groups, md.Metric);
        var rows = new List<string>();
        void Row(string claim, string comparison, Stat? a, Stat? b, bool matches = false)
        {
            if (a is not { } x || b is not { } y) return;
            var (diff, se) = Stat.Difference(x, y);
            rows.Add($"| {claim} | {comparison} | {x.Format()} (n = {x.Count}) | {y.Format()} (n = {y.Count}) | {Signed(diff)}{(double.IsNaN(se) ? "" : $" ± {F(se)}")} | {Describe(Judge(diff, se, matches))} |");
        }

        // β = c/d against a fixed β, at each d where both ran (the claim is about small d)
        foreach (var auto in groups.Where(g => Value(g, "beta") == "auto").OrderBy(g => g.Config.ProjDim))
            foreach (var fixedBeta in Partners(groups, auto, "beta").Where(g => Value(g, "beta") != "auto"))
                Row("β = c/d beats a fixed β at small d", $"d = {auto.Config.ProjDim}: β = c/d vs β = {Value(fixedBeta, "beta")}", readout.Of(auto), readout.Of(fixedBeta));

        // more views at equal epochs, and at equal pretraining time; M × fraction constant
        foreach (var more in groups.Where(g => g.Config.Views > 2).OrderBy(g => g.Config.Views))
            foreach (var two in Partners(groups, more, "views").Where(g => g.Config.Views == 2))
            {
                Row($"M = {more.Config.Views} beats M = 2 per epoch", "final accuracy, same epochs", readout.Of(more), readout.Of(two));
                var clock = TimeAxis.ForEvaluations(more.Runs.Concat(two.Runs));
                double common = Math.Min(LastSeconds(more, clock), LastSeconds(two, clock));
                if (double.IsFinite(common) && common > 0)
                    Row($"M = {more.Config.Views} beats M = 2 per second", $"periodic accuracy at {common:F0} s of pretraining {clock.Name}",
                        AtSeconds(more, common, clock, md), AtSeconds(two, common, clock, md));
            }
        foreach (var more in groups.Where(g => g.Config.Views > 2 && g.Config.Fraction < 1).OrderBy(g => g.Config.Views))
            foreach (var two in Partners(groups, more, "views", "fraction").Where(g => g.Config.Views == 2 && Math.Abs(g.Config.Views * g.Config.Fraction - more.Config.Views * more.Config.Fraction) < 1e-9))
                Row($"M = {more.Config.Views} on {more.Config.Fraction / two.Config.Fraction:P0} of the images matches M = 2 on all", "final accuracy, equal M × fraction", readout.Of(more), readout.Of(two), matches: true);

        // multi-crop against more full-size views, both given the same pretraining time
        foreach (var crops in groups.Where(g => g.Config.SmallCrops > 0))
            foreach (var full in Partners(groups, crops, "views", "small_crops").Where(g => g.Config.SmallCrops == 0 && g.Config.Views > crops.Config.Views))
                Row($"{crops.Config.Views} full + {crops.Config.SmallCrops} small crops beats M = {full.Config.Views} at equal time",
                    $"final accuracy, {F(crops.Config.TimeBudgetMinutes)} min of pretraining each", readout.Of(crops), readout.Of(full));

        md.Paragraph("## The paper's claims");
        if (rows.Count == 0) { md.Paragraph("No two configurations here differ only in β, M or M × fraction; nothing to judge."); return; }
        md.Paragraph($"Each row compares two configurations that differ only in what the claim is about: mean ± sample std over seeds (n = seeds), " +
            $"and the difference of means ± its standard error (Welch). A claim that one beats the other is **held** when the difference exceeds " +
            $"{Errors:0} standard errors, **not held** when it is below −{Errors:0}, else not separable from noise; \"matches\" is held unless the first is " +
            $"more than {Errors:0} standard errors worse. {readout.Note()}");
        md.Line("| claim | comparison | first | second | difference | verdict |");
        md.Line("|---|---|---:|---:|---:|---|");
        foreach (var row in rows) md.Line(row);
        md.Line();
    }

    /// <summary>Configurations that differ from <paramref name="g"/> in <paramref name="keys"/> only (and in at least one of them).</summary>
    private static IEnumerable<RunGroup> Partners(IReadOnlyList<RunGroup> groups, RunGroup g, params string[] keys) =>
        groups.Where(h => h != g && g.Settings.Select(kv => kv.Key).Union(h.Settings.Select(kv => kv.Key))
            .All(k => keys.Contains(k) || JsonNode.DeepEquals(g.Settings[k], h.Settings[k])));

    private static string Value(RunGroup g, string key) => ConfigComparison.Display(g.Settings[key]);

    /// <summary>The configuration's shortest pretraining time (on <paramref name="clock"/>) among its runs' last periodic evaluations.</summary>
    private static double LastSeconds(RunGroup g, TimeAxis clock) =>
        g.Runs.Where(r => r.Evals.Count > 0).Select(r => clock.Seconds(r.Evals[^1])).DefaultIfEmpty(double.NaN).Min();

    /// <summary>Mean ± std over the runs of their last periodic accuracy at or before <paramref name="seconds"/> of pretraining.</summary>
    private static Stat? AtSeconds(RunGroup g, double seconds, TimeAxis clock, ReportMarkdown md) =>
        Stat.Of(g.Runs.Select(r => r.Evals.LastOrDefault(e => clock.Seconds(e) <= seconds + 1e-9) is { } e ? md.EvalMetric(e) : null));

    private static string Signed(double v) => (v >= 0 ? "+" : "") + F(v);

    private static string F(double v) => v.ToString("F2", CultureInfo.InvariantCulture);
}
