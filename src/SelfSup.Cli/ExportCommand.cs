using System.CommandLine;
using SelfSup.Interop;
using SelfSup.Training;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup export RUN_DIR --out FILE</c>: a run's checkpoint as a PyTorch <c>.pt</c>, <c>.safetensors</c> or <c>.onnx</c> file with
/// torchvision's ResNet names (and <c>projector.N.*</c> with <c>--what encoder</c>), plus the sidecar <c>FILE.json</c>.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run directory written by 'selfsup pretrain' (or 'selfsup import')" };
        var output = new Option<string>("--out") { Description = "File to write (.pt, .safetensors, or .onnx for an inference graph); the sidecar goes to FILE.json", Required = true };
        var format = new Option<string?>("--format") { Description = "pt (torch.load), safetensors, or onnx (inference graph, BatchNorm folded, dynamic batch; default: from the extension of --out)" };
        var what = new Option<string>("--what") { Description = "backbone (the ResNet, torchvision names) or encoder (also projector.N.*)", DefaultValueFactory = _ => "backbone" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint folder (default: the run's newest)" };
        var command = new Command("export", "Write a run's weights as .pt or .safetensors with torchvision's ResNet names, or an ONNX inference graph, plus FILE.json (architecture, input normalisation, training config).");
        command.Arguments.Add(runDir);
        command.Options.Add(output); command.Options.Add(format); command.Options.Add(what); command.Options.Add(checkpoint);
        command.SetAction(r =>
        {
            var run = new RunDirectory(r.GetValue(runDir)!);
            if (!run.Exists) throw new SelfSupError($"'{run.Path}' is not a run directory (no config.json); pass the --out folder of a 'selfsup pretrain' run");
            string outPath = r.GetValue(output)!;
            var card = WeightExport.Export(run, outPath, r.GetValue(format), r.GetValue(what)!, r.GetValue(checkpoint));
            Console.WriteLine($"{card.What} of {card.Architecture.Model} (width {card.Architecture.Width}, {card.Architecture.Stem} stem) from {card.Checkpoint}: {Path.GetFullPath(outPath)} ({card.TensorFormat})");
            Console.WriteLine($"sidecar: {ExportCard.PathFor(Path.GetFullPath(outPath))}");
            return 0;
        });
        return command;
    }
}
