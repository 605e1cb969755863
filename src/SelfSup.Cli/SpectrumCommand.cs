using SelfSup.Reports;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SelfSup.Evaluation;
using SelfSup.Experiments;
using SelfSup.Training;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup spectrum RUN_DIR</c>: eigenvalues of the backbone-feature and projector-embedding covariances
/// on the held-out split, the power-law decay α and the effective rank, a log–log plot, and spectrum.json.
/// </summary>
public static class SpectrumCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by 'selfsup pretrain' (or a sweep cell)" };
        var json = new Option<bool>("--json") { Description = "Print only {\"alpha\", \"effective_rank\", \"eigenvalues\", ...} of the features as JSON" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint folder (default: the run's newest)" };
        var images = new Option<int>("--images") { Description = "Held-out images used (a seeded sample when the split is larger)", DefaultValueFactory = _ => PeriodicEvaluator.SpectrumImages };
        var plot = new Option<string?>("--plot") { Description = "Where to write the log-log plot (default: RUN_DIR/spectrum.png)" };
        var command = new Command("spectrum", "Covariance spectrum of a run's features and embeddings: eigenvalues, power-law alpha, effective rank, log-log plot.");
        command.Arguments.Add(runDir);
        command.Options.Add(json); command.Options.Add(checkpoint); command.Options.Add(images); command.Options.Add(plot);
        command.SetAction(r =>
        {
            var run = new RunDirectory(r.GetValue(runDir)!);
            if (!run.Exists) throw new SelfSupError($"'{run.Path}' is not a run directory (no config.json); pass the --out folder of a 'selfsup pretrain' run");
            string? cp = r.GetValue(checkpoint);
            if (cp is not null && !File.Exists(Path.Combine(cp, "model.bin")))
                throw new SelfSupError($"--checkpoint '{cp}' has no model.bin; pass a folder like RUN_DIR/checkpoints/epoch-0003");
            bool asJson = r.GetValue(json);
            var result = asJson
                ? RunSpectrum.Compute(run, cp is null ? null : Path.GetFullPath(cp), r.GetValue(images))
                : ProgressDisplay.Run("spectrum", report => RunSpectrum.Compute(run, cp is null ? null : Path.GetFullPath(cp), r.GetValue(images),
                    (b, n) => report("features", b, n)));
            string plotPath = Path.GetFullPath(r.GetValue(plot) ?? Path.Combine(run.Path, "spectrum.png"));
            SavePlot(result, plotPath);
            var document = new
            {
                alpha = result.Features.AlphaOrNull, effective_rank = result.Features.EffectiveRank, eigenvalues = result.Features.Eigenvalues,
                fit_ranks = new[] { result.Features.FitFrom, result.Features.FitTo },
                embedding = new
                {
                    alpha = result.Embeddings.AlphaOrNull, effective_rank = result.Embeddings.EffectiveRank, eigenvalues = result.Embeddings.Eigenvalues,
                    fit_ranks = new[] { result.Embeddings.FitFrom, result.Embeddings.FitTo },
                },
                split = result.Split, images = result.Images, checkpoint = Path.GetRelativePath(run.Path, result.Checkpoint), plot = plotPath,
            };
            RunDirectory.WriteAtomic(Path.Combine(run.Path, "spectrum.json"), JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(document));
                return 0;
            }
            var table = new Table().AddColumn("representation").AddColumn(new TableColumn("dims").RightAligned())
                .AddColumn(new TableColumn("alpha").RightAligned()).AddColumn(new TableColumn("effective rank").RightAligned()).AddColumn(new TableColumn("fit ranks").RightAligned());
            table.Title = new TableTitle($"Covariance spectrum on {result.Images} {result.Split} images ({Markup.Escape(Path.GetFileName(result.Checkpoint))})");
            foreach (var (name, s) in new[] { ("backbone features", result.Features), ("projector embeddings", result.Embeddings) })
                table.AddRow(name, s.Eigenvalues.Length.ToString(), s.AlphaOrNull is { } a ? a.ToString("F3", CultureInfo.InvariantCulture) : "—",
                    s.EffectiveRank.ToString("F2", CultureInfo.InvariantCulture), $"{s.FitFrom}–{s.FitTo}");
            AnsiConsole.Write(table);
            Console.WriteLine($"plot: {plotPath}");
            Console.WriteLine($"alpha={result.Features.Alpha.ToString("F4", CultureInfo.InvariantCulture)} effective_rank={result.Features.EffectiveRank.ToString("F2", CultureInfo.InvariantCulture)}");
            return 0;
        });
        return command;
    }

    /// <summary>Log–log eigenvalue vs rank for features and embeddings, with the fitted power laws dashed.</summary>
    public static void SavePlot(RunSpectrumResult result, string path)
    {
        var series = new List<Series>();
        foreach (var (name, s) in new[] { ("backbone features", result.Features), ("projector embeddings", result.Embeddings) })
        {
            // eigenvalues below the relative threshold are numerical zeros (rank ≤ images − 1): not drawn
            double floor = s.Eigenvalues.Length > 0 ? s.Eigenvalues[0] * Spectrum.RelativeThreshold : 0;
            int shown = s.Eigenvalues.Count(v => v > floor);
            var ranks = Enumerable.Range(1, shown).Select(i => (double)i).ToArray();
            string omitted = shown < s.Eigenvalues.Length ? $", {s.Eigenvalues.Length - shown} zeros not drawn" : "";
            series.Add(new Series($"{name} (α = {Show(s.AlphaOrNull)}, eff. rank {s.EffectiveRank:F1}{omitted})", ranks, s.Eigenvalues[..shown], Line: false));
            if (s.AlphaOrNull is not null)
            {
                var fitRanks = Enumerable.Range(s.FitFrom, s.FitTo - s.FitFrom + 1).Select(i => (double)i).ToArray();
                series.Add(new Series($"fit: {name}, ranks {s.FitFrom}–{s.FitTo}", fitRanks, fitRanks.Select(i => s.FittedAt((int)i)).ToArray()));
            }
        }
        Plots.SaveLogLog(path, $"Covariance spectrum, {result.Images} held-out ({result.Split}) images",
            "eigenvalue rank i (log scale)", "eigenvalue λ_i (variance, log scale)", series);
    }

    private static string Show(double? v) => v is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "—";
}
