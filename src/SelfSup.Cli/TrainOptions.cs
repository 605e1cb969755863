using System.CommandLine;
using SelfSup.Training;

namespace SelfSup.Cli;

/// <summary>The training flags shared by every verb that trains (pretrain, and later sweep/reproduce).</summary>
public sealed class TrainOptions
{
    private static readonly TrainConfig D = new();

    public readonly Option<string> Dataset = new("--dataset") { Description = "Dataset: fashion-mnist, cifar10, cifar100, stl10, imagefolder, folder", DefaultValueFactory = _ => D.Dataset };
    public readonly Option<string?> DataDir = new("--data-dir") { Description = "Folder holding the dataset files (default: the dataset's standard place)" };
    public readonly DataSourceOptions Data = new();
    public readonly Option<string?> Augment = new("--augment") { Description = "Augmentation preset: cifar, stl10, imagenet100, fashion-mnist (default: the dataset's)" };
    public readonly Option<string?> CropScale = new("--crop-scale") { Description = "Override the crop area scale range: MIN,MAX (e.g. 0.4,1)" };
    public readonly Option<int> SmallCrops = new("--small-crops") { Description = "Multi-crop: this many small crops per image besides the --views full-size ones (0: none; needs --method bt)" };
    public readonly Option<int> SmallCropSize = new("--small-crop-size") { Description = "Side of the small crops (default: half the full views')" };
    public readonly Option<string?> SmallCropScale = new("--small-crop-scale") { Description = "Area range of the small crops: MIN,MAX (default 0.05,0.4)" };
    public readonly Option<double> Fraction = new("--fraction") { Description = "Seeded random fraction of the training images, in (0, 1]", DefaultValueFactory = _ => D.Fraction };
    public readonly Option<bool> Stratified = new("--stratified") { Description = "Draw the --fraction subset per class (same class proportions)" };
    public readonly Option<int> Views = new("--views") { Description = "Augmented views per image, M >= 2", DefaultValueFactory = _ => D.Views };
    public readonly Option<string> Method = new("--method") { Description = "Loss: bt, bt-pairwise, bt-official, vicreg, vicreg-official", DefaultValueFactory = _ => D.Method };
    public readonly Option<string> Beta = new("--beta") { Description = "Barlow Twins orthogonality weight: 'auto' (c/d) or a number, e.g. 0.005", DefaultValueFactory = _ => D.Beta };
    public readonly Option<double> BetaC = new("--beta-c") { Description = "c in beta = c/d for --beta auto", DefaultValueFactory = _ => D.BetaC };
    public readonly Option<double> VicregLambda = new("--vicreg-lambda") { Description = "VICReg invariance weight", DefaultValueFactory = _ => D.VicregLambda };
    public readonly Option<double> VicregMu = new("--vicreg-mu") { Description = "VICReg variance weight", DefaultValueFactory = _ => D.VicregMu };
    public readonly Option<bool> NoNormalize = new("--no-normalize") { Description = "bt: skip the L2 normalisation of embeddings" };
    public readonly Option<string> Model = new("--model") { Description = "Backbone: resnet18, resnet34, resnet50 (CIFAR stem)", DefaultValueFactory = _ => D.Model };
    public readonly Option<int> Width = new("--width") { Description = "Channels of the first ResNet stage (64 = standard; on the CPU 8 or a multiple of 16)", DefaultValueFactory = _ => D.Width };
    public readonly Option<bool> ImagenetStem = new("--imagenet-stem") { Description = "Use the 7x7/stride-2 + max-pool stem" };
    public readonly Option<int> ProjDim = new("--proj-dim") { Description = "Projector output dimension d", DefaultValueFactory = _ => D.ProjDim };
    public readonly Option<int> ProjLayers = new("--proj-layers") { Description = "Linear layers in the projector", DefaultValueFactory = _ => D.ProjLayers };
    public readonly Option<int?> ProjHidden = new("--proj-hidden") { Description = "Projector hidden width (default: d)" };
    public readonly Option<int> Epochs = new("--epochs") { Description = "Pretraining epochs", DefaultValueFactory = _ => D.Epochs };
    public readonly Option<long> Steps = new("--steps") { Description = "Cap on optimizer steps (0 = none)", DefaultValueFactory = _ => D.Steps };
    public readonly Option<double> TimeBudget = new("--time-budget") { Description = "Stop pretraining after this many minutes (0 = no limit)", DefaultValueFactory = _ => D.TimeBudgetMinutes };
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "Images per batch (each has M views)", DefaultValueFactory = _ => D.BatchSize };
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "adam, sgd or lars", DefaultValueFactory = _ => D.Optimizer };
    public readonly Option<double> Lr = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => D.Lr };
    public readonly Option<double> WeightDecay = new("--weight-decay") { Description = "Weight decay", DefaultValueFactory = _ => D.WeightDecay };
    public readonly Option<string> Schedule = new("--schedule") { Description = "none or warmup-cosine", DefaultValueFactory = _ => D.Schedule };
    public readonly Option<double> WarmupEpochs = new("--warmup-epochs") { Description = "Warm-up epochs for warmup-cosine", DefaultValueFactory = _ => D.WarmupEpochs };
    public readonly Option<bool> NoChannelsLast = new("--no-channels-last") { Description = "Keep NCHW layout (channels-last is faster on CPU)" };
    public readonly Option<bool> SyncBn = new("--sync-bn") { Description = "Under mpirun/srun: BatchNorm statistics over the global batch of all ranks (the same training as one process)" };
    public readonly Option<string> Precision = new("--precision") { Description = "fp32, bf16 (the backbone's convolutions in bfloat16; projector, weights, BatchNorm statistics and loss fp32), auto (bf16 where the hardware has it) or fp64 (everything in float64: exactness checks, slow)", DefaultValueFactory = _ => D.Precision };
    public readonly Option<string?> Init = new("--init") { Description = "Start from these weights: a run directory, a checkpoint folder or a .pt/.safetensors file (selfsup export / import)" };
    public readonly Option<int> Seed = new("--seed") { Description = "Seed for init, data order, subsets and augmentations", DefaultValueFactory = _ => D.Seed };
    public readonly Option<int> Threads = new("--threads") { Description = "CPU threads (0 = all cores)", DefaultValueFactory = _ => D.Threads };
    public readonly Option<string> Device = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => D.Device };
    public readonly Option<int> LogEvery = new("--log-every") { Description = "Write metrics.jsonl every N steps", DefaultValueFactory = _ => D.LogEvery };
    public readonly Option<int> EvalEvery = new("--eval-every") { Description = "Every K epochs (and after the last) run a short probe, kNN and spectra into evals.jsonl (0 = off)", DefaultValueFactory = _ => D.EvalEvery };
    public readonly Option<int> EvalProbeEpochs = new("--eval-probe-epochs") { Description = "Linear-probe epochs of each periodic evaluation", DefaultValueFactory = _ => D.EvalProbeEpochs };
    public readonly Option<int> EvalImages = new("--eval-images") { Description = "Training images (seeded subset) the periodic probe uses (0 = all)", DefaultValueFactory = _ => D.EvalImages };

    public readonly Option<long> CheckpointEvery = new("--checkpoint-every") { Description = "Also checkpoint inside an epoch every N steps (0 = every --checkpoint-minutes of training)", DefaultValueFactory = _ => D.CheckpointEvery };
    public readonly Option<double> CheckpointMinutes = new("--checkpoint-minutes") { Description = "With --checkpoint-every 0: minutes of training between checkpoints inside an epoch", DefaultValueFactory = _ => D.CheckpointMinutes };
    public readonly Option<int> KeepCheckpoints = new("--keep-checkpoints") { Description = "Checkpoints to keep (older ones are deleted once a new one is complete)", DefaultValueFactory = _ => D.KeepCheckpoints };
    public readonly Option<double> CollapseThreshold = new("--collapse-threshold") { Description = "Stop when sqrt(d) x per-dimension std of the L2-normalised embeddings stays below this (0 = never)", DefaultValueFactory = _ => D.CollapseThreshold };
    public readonly Option<int> CollapseSteps = new("--collapse-steps") { Description = "Consecutive steps below --collapse-threshold that count as collapse", DefaultValueFactory = _ => D.CollapseSteps };

    /// <summary>config.json key of each option whose name does not simply map "--a-b" to "a_b".</summary>
    private static readonly Dictionary<string, string> KeyExceptions = new()
    {
        ["--time-budget"] = "time_budget_minutes", ["--no-channels-last"] = "channels_last",
    };

    /// <summary>The config.json keys of the training options given on the command line (not defaulted).</summary>
    public IEnumerable<string> GivenKeys(ParseResult r) =>
        All.Where(o => r.GetResult(o) is { Implicit: false })
           .Select(o => KeyExceptions.GetValueOrDefault(o.Name) ?? o.Name.TrimStart('-').Replace('-', '_'));

    public IEnumerable<Option> All => [Dataset, DataDir, .. Data.All, Augment, CropScale, SmallCrops, SmallCropSize, SmallCropScale, Fraction, Stratified, Views, Method, Beta, BetaC, VicregLambda, VicregMu, NoNormalize,
        Model, Width, ImagenetStem, ProjDim, ProjLayers, ProjHidden, Epochs, Steps, TimeBudget, BatchSize, Optimizer, Lr, WeightDecay, Schedule,
        WarmupEpochs, NoChannelsLast, Precision, SyncBn, Init, Seed, Threads, Device, LogEvery, EvalEvery, EvalProbeEpochs, EvalImages,
        CheckpointEvery, CheckpointMinutes, KeepCheckpoints, CollapseThreshold, CollapseSteps];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    public TrainConfig Read(ParseResult r)
    {
        var data = Data.Read(r);
        return new TrainConfig()
        {
            Dataset = r.GetValue(Dataset)!, DataDir = r.GetValue(DataDir), Augment = r.GetValue(Augment), CropScale = ParseRange(r.GetValue(CropScale), "--crop-scale", "0.2,1"), Fraction = r.GetValue(Fraction),
            SmallCrops = r.GetValue(SmallCrops), SmallCropSize = r.GetValue(SmallCropSize), SmallCropScale = ParseRange(r.GetValue(SmallCropScale), "--small-crop-scale", "0.05,0.4"),
            Stratified = r.GetValue(Stratified), Label = data.Label, ClassList = data.ClassList, CacheSide = data.CacheSide, PretrainSplit = data.PretrainSplit,
            Views = r.GetValue(Views), Method = r.GetValue(Method)!, Beta = r.GetValue(Beta)!, BetaC = r.GetValue(BetaC),
            VicregLambda = r.GetValue(VicregLambda), VicregMu = r.GetValue(VicregMu), NoNormalize = r.GetValue(NoNormalize),
            Model = r.GetValue(Model)!, Width = r.GetValue(Width), ImagenetStem = r.GetValue(ImagenetStem), ProjDim = r.GetValue(ProjDim),
            ProjLayers = r.GetValue(ProjLayers), ProjHidden = r.GetValue(ProjHidden), Epochs = r.GetValue(Epochs), Steps = r.GetValue(Steps), TimeBudgetMinutes = r.GetValue(TimeBudget),
            BatchSize = r.GetValue(BatchSize), Optimizer = r.GetValue(Optimizer)!, Lr = r.GetValue(Lr), WeightDecay = r.GetValue(WeightDecay),
            Schedule = r.GetValue(Schedule)!, WarmupEpochs = r.GetValue(WarmupEpochs), ChannelsLast = !r.GetValue(NoChannelsLast), Precision = r.GetValue(Precision)!, SyncBn = r.GetValue(SyncBn), Init = r.GetValue(Init) is { } init ? Path.GetFullPath(init) : null, Seed = r.GetValue(Seed), Threads = r.GetValue(Threads),
            Device = r.GetValue(Device)!, LogEvery = r.GetValue(LogEvery),
            EvalEvery = r.GetValue(EvalEvery), EvalProbeEpochs = r.GetValue(EvalProbeEpochs), EvalImages = r.GetValue(EvalImages),
            CheckpointEvery = r.GetValue(CheckpointEvery), CheckpointMinutes = r.GetValue(CheckpointMinutes), KeepCheckpoints = r.GetValue(KeepCheckpoints),
            CollapseThreshold = r.GetValue(CollapseThreshold), CollapseSteps = r.GetValue(CollapseSteps),
        }.WithAbsolutePaths();
    }

    /// <summary>"MIN,MAX" → [min, max]; null when the flag was not given.</summary>
    private static double[]? ParseRange(string? text, string flag, string example)
    {
        if (text is null) return null;
        var parts = text.Split(',');
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                throw new SelfSupError($"{flag} '{text}' must be two numbers MIN,MAX, e.g. {example}");
        if (values.Length != 2) throw new SelfSupError($"{flag} '{text}' must be two numbers MIN,MAX, e.g. {example}");
        return values;
    }
}
