using SelfSup.Models;
using SelfSup.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Interop;

/// <summary>
/// <c>selfsup import</c>: turns a <c>.pt</c> or <c>.safetensors</c> state dict with torchvision's names (one written by
/// <c>selfsup export</c>, or a torchvision ResNet's with <c>fc</c> removed) into a run directory whose one checkpoint,
/// <c>checkpoints/epoch-0000</c>, passes the checks of <see cref="Checkpoint.Latest"/> and loads in <c>probe</c>,
/// <c>spectrum</c> and <c>embed</c>. The architecture comes from the tensors (<see cref="ImportedArchitecture"/>); the
/// training config from the sidecar <c>FILE.json</c> when there is one (else the defaults, with <see cref="Training.TrainConfig.Dataset"/>).
/// Every tensor of the file must be one the model has, with its shape, and the model's backbone (and projector, when
/// the file has one) must all be in the file; a backbone-only file gets a seeded random projector.
/// </summary>
public static class WeightImport
{
    /// <summary>Imports <paramref name="file"/> into the new run directory <paramref name="outDir"/>; returns the checkpoint folder.</summary>
    public static string Import(string file, string outDir, ImportOptions options)
    {
        var run = new RunDirectory(outDir);
        if (run.Exists) throw new SelfSupError($"'{run.Path}' is already a run directory; choose another `out` or delete it");
        if (OnnxExport.IsOnnx(file, options.Format))
            throw new SelfSupError($"'{file}' is an ONNX inference graph (BatchNorm folded into the convolutions), which import cannot turn back into a run; export the run as .pt or .safetensors and import that");
        string format = WeightsFile.FormatOf(file, options.Format);
        var tensors = WeightsFile.Read(file, format);
        try
        {
            if (options.DropClassifier) { Drop(tensors, "fc.weight"); Drop(tensors, "fc.bias"); }
            var arch = ImportedArchitecture.Of(tensors, file);
            string sidecar = ExportCard.PathFor(Path.GetFullPath(file));
            var card = File.Exists(sidecar) ? ExportCard.Read(sidecar) : null;
            var config = ConfigFor(arch, card, options, file);
            int presetChannels = config.ResolveAugmentation().Channels;
            if (presetChannels != arch.InChannels)
                throw new SelfSupError($"'{file}': conv1.weight takes {arch.InChannels}-channel images but dataset '{config.Dataset}' (augmentation '{config.AugmentPreset}') has {presetChannels}; pass `dataset` with {arch.InChannels}-channel images (fashion-mnist: 1; cifar10, cifar100, stl10, imagefolder: 3)");

            torch.manual_seed(config.Seed);
            using var encoder = new Encoder(config.EncoderFor(arch.InChannels));
            Load(encoder, tensors, arch, file);
            run.Create(config);
            var optimizer = OptimizerFactory.Create(config.Optimizer, encoder.parameters().ToList(), config.Lr, config.WeightDecay);
            var state = new TrainingState { Finished = true, RngSeed = config.Seed, Config = config };
            string checkpoint = Checkpoint.Save(run, encoder, optimizer, state);
            run.UpdateSummary(new Dictionary<string, object?> { ["imported_from"] = Path.GetFullPath(file), ["model"] = config.Model, ["dataset"] = config.Dataset });
            return checkpoint;
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>
    /// <c>pretrain --init</c>: starts <paramref name="encoder"/> from <paramref name="source"/> — a run directory (its newest
    /// usable checkpoint), a checkpoint folder, or a <c>.pt</c>/<c>.safetensors</c> with torchvision's names. A file with a
    /// backbone only leaves the projector as initialised; a classifier (<c>fc.*</c>) is ignored.
    /// </summary>
    public static void InitFrom(Encoder encoder, string source)
    {
        if (Directory.Exists(source))
        {
            string checkpoint = File.Exists(Path.Combine(source, "model.bin")) ? source
                : Checkpoint.Latest(new RunDirectory(source)) ?? throw new SelfSupError($"`init` '{source}' is neither a checkpoint folder (model.bin) nor a run with a finished checkpoint; pass a run directory, RUN/checkpoints/epoch-NNNN, or a .pt/.safetensors file");
            Checkpoint.LoadModel(checkpoint, encoder);
            return;
        }
        if (!File.Exists(source)) throw new SelfSupError($"`init` '{source}' does not exist; pass a run directory, a checkpoint folder or a .pt/.safetensors file (selfsup export writes one)");
        var tensors = WeightsFile.Read(source, WeightsFile.FormatOf(source, null));
        try
        {
            Drop(tensors, "fc.weight"); Drop(tensors, "fc.bias");
            Load(encoder, tensors, ImportedArchitecture.Of(tensors, source), source);
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    private static void Drop(Dictionary<string, Tensor> tensors, string name)
    {
        if (tensors.Remove(name, out var t)) t.Dispose();
    }

    /// <summary>The imported run's config: the sidecar's training config (or the defaults) with the file's architecture.</summary>
    private static TrainConfig ConfigFor(ImportedArchitecture arch, ExportCard? card, ImportOptions options, string file)
    {
        if (options.Model is { } model && model != arch.Model)
            throw new SelfSupError($"`model` {model}, but '{file}' holds a {arch.Model} (from the blocks of layer3 and layer1.0.conv3); drop `model` or import the right file");
        if (options.Width is { } width && width != arch.Width)
            throw new SelfSupError($"`width` {width}, but conv1.weight in '{file}' has {arch.Width} output channels; drop `width` or pass `width` {arch.Width}");
        var config = card?.TrainConfig ?? new TrainConfig();
        if (options.Dataset is not null && options.Dataset != config.Dataset)
            config = config with { Dataset = options.Dataset, DataDir = null, Augment = null, CropScale = null };
        if (options.DataDir is not null) config = config with { DataDir = options.DataDir };
        config = config with { Model = arch.Model, Width = arch.Width, ImagenetStem = arch.ImagenetStem };
        if (arch.ProjectorLinearOut is { } outs)
            config = config with { ProjDim = outs[^1], ProjLayers = outs.Length, ProjHidden = outs.Length > 1 && outs[0] != outs[^1] ? outs[0] : null };
        else if (card is null)
            config = config with { ProjDim = options.ProjDim, ProjLayers = options.ProjLayers, ProjHidden = options.ProjHidden };
        config = config.WithAbsolutePaths();
        config.Validate();
        return config;
    }

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="encoder"/> after checking every name and shape.</summary>
    private static void Load(Encoder encoder, Dictionary<string, Tensor> tensors, ImportedArchitecture arch, string file)
    {
        string model = $"a {arch.Model} of width {arch.Width} with the {(arch.ImagenetStem ? "ImageNet" : "CIFAR")} stem";
        var targets = encoder.state_dict();
        foreach (var (name, tensor) in tensors)
        {
            if (!targets.TryGetValue(TorchvisionNames.EncoderName(name), out var target))
                throw new SelfSupError(name.StartsWith("fc.", StringComparison.Ordinal)
                    ? $"'{file}' holds the classifier '{name}', which SelfSup's backbone does not have (fc = nn.Identity()); pass `drop_classifier`, or save the model with model.fc = torch.nn.Identity()"
                    : $"'{file}' holds '{name}', which {model} does not have; save only the backbone's state_dict() (and 'projector.N.*') with torchvision's names, without prefixes such as 'module.'");
            if (!target.shape.SequenceEqual(tensor.shape))
                throw new SelfSupError($"'{file}': '{name}' has shape [{string.Join(", ", tensor.shape)}] but {model} needs [{string.Join(", ", target.shape)}]; the file is from another architecture or its projector has other sizes");
            if (tensor.is_floating_point() != target.is_floating_point())
                throw new SelfSupError($"'{file}': '{name}' has element type {tensor.dtype} but the model's is {target.dtype}; re-save the file without changing tensor types");
        }
        bool hasProjector = arch.ProjectorLinearOut is not null;
        foreach (var (name, target) in targets)
        {
            string exported = TorchvisionNames.Exported(name, "encoder") ?? name;
            if (TorchvisionNames.IsProjector(exported) && !hasProjector) continue;
            if (!tensors.ContainsKey(exported))
                throw new SelfSupError($"'{file}' lacks '{exported}' (shape [{string.Join(", ", target.shape)}]), which {model} needs; save the whole state_dict(), buffers included (running_mean, running_var, num_batches_tracked)");
        }
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in tensors) targets[TorchvisionNames.EncoderName(name)].copy_(tensor);
    }
}
