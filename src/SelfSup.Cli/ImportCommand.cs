using System.CommandLine;
using SelfSup.Interop;
using SelfSup.Training;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup import FILE --out RUN_DIR</c>: a <c>.pt</c>/<c>.safetensors</c> state dict with torchvision's ResNet names
/// (from <c>selfsup export</c> or torchvision) becomes a run directory that <c>probe</c>, <c>spectrum</c> and <c>embed</c> accept.
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Weights (.pt or .safetensors) with torchvision's names; a sidecar FILE.json, when present, gives the training config" };
        var output = new Option<string?>("--out") { Description = "Run directory to create (default: runs/<timestamp>-import)" };
        var format = new Option<string?>("--format") { Description = "pt or safetensors (default: from the extension)" };
        var model = new Option<string?>("--model") { Description = "Expected architecture (resnet18, resnet34, resnet50); read from the tensors when omitted" };
        var width = new Option<int?>("--width") { Description = "Expected width (conv1's output channels); read from the tensors when omitted" };
        var dropClassifier = new Option<bool>("--drop-classifier") { Description = "Ignore torchvision's fc.weight and fc.bias instead of refusing them" };
        var projDim = new Option<int>("--proj-dim") { Description = "Projector output size when neither the file nor a sidecar has one (randomly initialised, seeded)", DefaultValueFactory = _ => 64 };
        var projLayers = new Option<int>("--proj-layers") { Description = "Projector Linear layers when neither the file nor a sidecar has one", DefaultValueFactory = _ => 2 };
        var projHidden = new Option<int?>("--proj-hidden") { Description = "Projector hidden width when neither the file nor a sidecar has one (default: --proj-dim)" };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset the run is probed on (default: the sidecar's, else fashion-mnist)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of that dataset (default: the sidecar's, else the dataset's default)" };
        var command = new Command("import", "Turn a .pt/.safetensors state dict with torchvision's ResNet names into a run directory for probe, spectrum and embed.");
        command.Arguments.Add(file);
        foreach (var option in new Option[] { output, format, model, width, dropClassifier, projDim, projLayers, projHidden, dataset, dataDir })
            command.Options.Add(option);
        command.SetAction(r =>
        {
            string outDir = r.GetValue(output) ?? RunDirectory.DefaultPath("import");
            var options = new ImportOptions
            {
                Format = r.GetValue(format), Model = r.GetValue(model), Width = r.GetValue(width), DropClassifier = r.GetValue(dropClassifier),
                ProjDim = r.GetValue(projDim), ProjLayers = r.GetValue(projLayers), ProjHidden = r.GetValue(projHidden),
                Dataset = r.GetValue(dataset), DataDir = r.GetValue(dataDir),
            };
            string checkpoint = WeightImport.Import(r.GetValue(file)!, outDir, options);
            Console.WriteLine($"imported into {Path.GetFullPath(outDir)} (checkpoint {Path.GetFileName(checkpoint)})");
            Console.WriteLine($"next: selfsup probe {outDir}");
            return 0;
        });
        return command;
    }
}
