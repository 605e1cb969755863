using System.CommandLine;
using SelfSup.Data;
using SelfSup.Evaluation;
using SelfSup.IO;
using SelfSup.Training;
using TorchSharp;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup embed RUN_DIR --out FEATS.npy</c>: backbone features (or <c>--projector</c> embeddings), N×F float32, of a
/// dataset split (labels beside as <c>FEATS.labels.npy</c>) or of images in a <c>.npy</c> (N×C×H×W float32 in [0, 1]).
/// </summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by 'selfsup pretrain' or 'selfsup import'" };
        var output = new Option<string>("--out") { Description = "Features file (.npy, N x F float32)", Required = true };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset (default: the run's)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Its folder (default: the run's, when the dataset is the run's)" };
        var split = new Option<string?>("--split") { Description = "Split to embed (default: the dataset's test split)" };
        var npy = new Option<string?>("--npy") { Description = "Embed these images instead: N x C x H x W float32 in [0, 1], normalised as in training" };
        var projector = new Option<bool>("--projector") { Description = "Projector embeddings g(f(x)) instead of backbone features f(x)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint folder (default: the run's newest)" };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 512 };
        var precision = new Option<string>("--precision")
        {
            Description = "fp32 (default: features to take elsewhere, as PyTorch or ONNX Runtime computes them), bf16 or auto (faster; as the run's probe computes them under bf16)",
            DefaultValueFactory = _ => "fp32",
        };
        var command = new Command("embed", "Backbone features (or projector embeddings) of a dataset split or of images in a .npy, written as .npy.");
        command.Arguments.Add(runDir);
        foreach (var option in new Option[] { output, dataset, dataDir, split, npy, projector, checkpoint, batch, precision }) command.Options.Add(option);
        command.SetAction(r =>
        {
            var run = new RunDirectory(r.GetValue(runDir)!);
            if (!run.Exists) throw new SelfSupError($"'{run.Path}' is not a run directory (no config.json); pass the --out folder of 'selfsup pretrain' or 'selfsup import'");
            int batchSize = r.GetValue(batch);
            if (batchSize < 1) throw new SelfSupError($"--batch-size {batchSize} must be at least 1");
            string outPath = r.GetValue(output)!;
            bool project = r.GetValue(projector);
            using var loaded = RunEncoder.Load(run, r.GetValue(checkpoint));
            var config = loaded.Config;
            loaded.Encoder.Precision = config.ReadoutPrecision(r.GetValue(precision));
            if (config.Threads > 0) torch.set_num_threads(config.Threads);
            var preset = config.ResolveAugmentation();
            var device = torch.CPU;
            if (r.GetValue(npy) is { } images)
            {
                if (r.GetValue(dataset) is not null || r.GetValue(split) is not null)
                    throw new SelfSupError("--npy embeds the images in that file; drop --dataset and --split (or drop --npy to embed a split)");
                using var x = NpyFile.Read(images);
                using var result = Embeddings.OfImages(loaded.Encoder, x, preset, device, project, images, batchSize);
                NpyFile.Write(outPath, result);
                Console.WriteLine($"{result.shape[0]} x {result.shape[1]} {(project ? "embeddings" : "features")} of '{images}': {Path.GetFullPath(outPath)}");
                return 0;
            }
            string name = r.GetValue(dataset) ?? config.Dataset;
            string? dir = r.GetValue(dataDir) ?? (name == config.Dataset ? config.DataDir : null);
            string splitName = r.GetValue(split) ?? (DatasetCatalog.HasLabels(name) ? DatasetCatalog.TestSplit(name) : DatasetCatalog.PretrainSplit(name, config.ToDataOptions()));
            using var data = DatasetCatalog.Open(name, dir, splitName, config.ToDataOptions());
            using var features = Embeddings.OfSplit(loaded.Encoder, data, preset, device, project, batchSize);
            NpyFile.Write(outPath, features);
            Console.WriteLine($"{features.shape[0]} x {features.shape[1]} {(project ? "embeddings" : "features")} of {name} {splitName}: {Path.GetFullPath(outPath)}");
            if (DatasetCatalog.HasLabels(name))
            {
                string labelsPath = LabelsPath(outPath);
                using var labels = torch.tensor(data.Labels.Select(l => (float)l).ToArray());
                NpyFile.Write(labelsPath, labels);
                Console.WriteLine($"labels: {Path.GetFullPath(labelsPath)}");
            }
            return 0;
        });
        return command;
    }

    /// <summary><c>FEATS.labels.npy</c> beside <c>FEATS.npy</c>.</summary>
    public static string LabelsPath(string featuresPath) =>
        Path.ChangeExtension(featuresPath, null) + ".labels.npy";
}
