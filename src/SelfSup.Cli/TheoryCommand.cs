using System.CommandLine;
using System.Globalization;
using SelfSup.Losses;
using SelfSup.Theory;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup theory</c>: trains a small MLP encoder with SelfSup's losses on a synthetic world whose augmentation
/// kernel is known exactly, and measures how close the learned embeddings come to its top eigenfunctions
/// (theory.jsonl, the final embeddings as .npy, report.md and PNG plots).
/// </summary>
public static class TheoryCommand
{
    public static Command Create()
    {
        var graph = new Option<string>("--graph") { Description = "Built-in augmentation graph: ring, grid or clusters", DefaultValueFactory = _ => "clusters" };
        var n = new Option<int>("--n") { Description = "Number of latent images (built-in graphs)", DefaultValueFactory = _ => 1024 };
        var clusters = new Option<int>("--clusters") { Description = "clusters: number of clusters K (the top K − 1 eigenfunctions are cluster contrasts)", DefaultValueFactory = _ => 17 };
        var inter = new Option<double>("--inter") { Description = "clusters: mean probability that a view shows an image of another cluster (cluster c: from 1/4 to 7/4 of it)", DefaultValueFactory = _ => 0.1 };
        var transition = new Option<string?>("--transition") { Description = "Row-stochastic n × n matrix P (.npy) instead of a built-in graph: P[i,j] = probability that a view of image i shows image j" };
        var render = new Option<string?>("--render") { Description = "With --transition: n × D .npy, what each latent image looks like (default: one-hot, D = n)" };
        var noise = new Option<double>("--noise") { Description = "Standard deviation of the Gaussian noise added to every view", DefaultValueFactory = _ => 0.01 };
        var projDim = new Option<int>("--proj-dim") { Description = "Projector output dimension d for the views study", DefaultValueFactory = _ => 16 };
        var dims = new Option<string>("--dims") { Description = "Projector dimensions of the beta study (comma-separated)", DefaultValueFactory = _ => "2,4,8,16" };
        var views = new Option<string>("--views") { Description = "Views per image M to compare (comma-separated)", DefaultValueFactory = _ => "2,4,8" };
        var beta = new Option<string>("--beta") { Description = "Orthogonality weight: 'auto' (beta = c/d) or a fixed number", DefaultValueFactory = _ => "auto" };
        var betaC = new Option<double>("--beta-c") { Description = "The constant c of beta = c/d", DefaultValueFactory = _ => OrthogonalityWeight.DefaultC };
        var compareBeta = new Option<double>("--compare-beta") { Description = "The fixed beta the c/d rule is compared with in the beta study", DefaultValueFactory = _ => 0.005 };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps per run", DefaultValueFactory = _ => TheoryRunSettings.DefaultSteps };
        var batch = new Option<int>("--batch-size") { Description = "Images per step (each with M views)", DefaultValueFactory = _ => 128 };
        var hidden = new Option<int>("--hidden") { Description = "Width H of the MLP encoder (the backbone features)", DefaultValueFactory = _ => 128 };
        var method = new Option<string>("--method") { Description = "Loss: bt, bt-pairwise, bt-official, vicreg, vicreg-official", DefaultValueFactory = _ => "bt" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam, sgd or lars", DefaultValueFactory = _ => "adam" };
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 1e-3 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Weight decay", DefaultValueFactory = _ => 1e-6 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between alignment measurements in the views study", DefaultValueFactory = _ => 25 };
        var seed = new Option<int>("--seed") { Description = "Seed of the world, the weights and the views", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => Path.Combine("runs", "theory") };
        var featuresOut = new Option<string?>("--features-out") { Description = "Final embeddings (n × d float32 .npy) of the run with the last M (default: OUT/features.npy)" };
        var command = new Command("theory", "Check the theory: do the learned embeddings span the top eigenfunctions of a known augmentation kernel? Views and beta studies on a synthetic world.");
        foreach (var o in new Option[] { graph, n, clusters, inter, transition, render, noise, projDim, dims, views, beta, betaC, compareBeta, steps, batch, hidden, method, optimizer, lr, weightDecay, evalEvery, seed, threads, outDir, featuresOut })
            command.Options.Add(o);
        command.SetAction(r =>
        {
            if (r.GetValue(threads) > 0) TorchSharp.torch.set_num_threads(r.GetValue(threads));
            if (r.GetValue(render) is not null && r.GetValue(transition) is null)
                throw new SelfSupError("--render needs --transition (the built-in graphs render each image one-hot); pass both .npy files.");
            string method_ = r.GetValue(method)!;
            if (!LossFactory.Methods.Contains(method_))
                throw new SelfSupError($"--method '{method_}' is not a loss; use one of: {string.Join(", ", LossFactory.Methods)}.");
            var world = r.GetValue(transition) is { } t
                ? SyntheticWorld.FromFiles(t, r.GetValue(render), r.GetValue(noise))
                : r.GetValue(graph)!.ToLowerInvariant() switch
                {
                    "ring" => SyntheticWorld.Ring(r.GetValue(n), noise: r.GetValue(noise)),
                    "grid" => SyntheticWorld.Grid(r.GetValue(n), r.GetValue(noise)),
                    "clusters" => SyntheticWorld.Clusters(r.GetValue(n), r.GetValue(clusters), r.GetValue(inter), seed: r.GetValue(seed), noise: r.GetValue(noise)),
                    var g => throw new SelfSupError($"--graph '{g}' is not a built-in graph; use ring, grid or clusters, or give --transition FILE.npy."),
                };
            string outPath = Path.GetFullPath(r.GetValue(outDir)!);
            var options = new TheoryOptions(Ints(r.GetValue(views)!, "--views"), r.GetValue(projDim), Ints(r.GetValue(dims)!, "--dims"),
                BetaSetting.Parse(r.GetValue(beta)!, r.GetValue(betaC)), r.GetValue(compareBeta), r.GetValue(steps), r.GetValue(batch),
                r.GetValue(hidden), method_, r.GetValue(optimizer)!, r.GetValue(lr), r.GetValue(weightDecay), r.GetValue(evalEvery),
                r.GetValue(seed), outPath, Path.GetFullPath(r.GetValue(featuresOut) ?? Path.Combine(outPath, "features.npy")));
            var outcome = ProgressDisplay.Run("theory", report => TheoryExperiment.Run(world, options, report));
            var table = new Table().AddColumn("M").AddColumn(new TableColumn("d").RightAligned()).AddColumn(new TableColumn("beta").RightAligned())
                .AddColumn(new TableColumn("alignment").RightAligned()).AddColumn(new TableColumn("vs empirical kernel").RightAligned());
            table.Title = new TableTitle($"Final alignment with the top-{options.ProjDim} eigenfunctions ({Markup.Escape(world.Source)})");
            foreach (var run in outcome.ViewRuns)
                table.AddRow(run.Settings.Views.ToString(), run.Settings.ProjDim.ToString(), run.Settings.Beta.ToString("G4", CultureInfo.InvariantCulture),
                    run.Final.Alignment.ToString("F4", CultureInfo.InvariantCulture), run.Final.EmpiricalAlignment.ToString("F4", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            Console.WriteLine($"report: {outcome.ReportPath} ({outcome.Seconds:F0} s)");
            return 0;
        });
        return command;
    }

    private static int[] Ints(string text, string flag)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
                throw new SelfSupError($"{flag} '{text}' must be positive integers separated by commas, e.g. 2,4,8.");
        if (values.Length == 0) throw new SelfSupError($"{flag} is empty; give comma-separated integers, e.g. 2,4,8.");
        return values;
    }
}
