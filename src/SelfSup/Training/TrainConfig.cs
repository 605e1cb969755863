using System.Text.Json;
using System.Text.Json.Serialization;

namespace SelfSup.Training;

/// <summary>
/// Everything that defines a pretraining run. Saved as <c>config.json</c> in the run directory
/// (snake_case keys) so a run can be resumed, probed and compared later.
/// Defaults are the CPU demo recipe on Fashion-MNIST; the paper's GPU recipe is ResNet-18 at width 64.
/// </summary>
public sealed record TrainConfig
{
    public string Dataset { get; init; } = "fashion-mnist";
    public string? DataDir { get; init; }
    /// <summary>Augmentation preset; null picks the dataset's own (SPEC table).</summary>
    public string? Augment { get; init; }
    public double Fraction { get; init; } = 1.0;
    /// <summary>Draw the fraction subset per class (same class proportions) instead of uniformly.</summary>
    public bool Stratified { get; init; }
    /// <summary>CIFAR-100 labels: "fine" (100 classes) or "coarse" (20).</summary>
    public string Label { get; init; } = "fine";
    /// <summary>imagefolder: file naming the class folders to use (ImageNet-100); stored as a full path.</summary>
    public string? ClassList { get; init; }
    /// <summary>imagefolder/folder: short side of the images stored in the cache.</summary>
    public int CacheSide { get; init; } = 144;
    /// <summary>Split to pretrain on; null = the dataset's own (stl10: unlabeled).</summary>
    public string? PretrainSplit { get; init; }
    public int Views { get; init; } = 2;

    public string Method { get; init; } = "bt";
    /// <summary>"auto" (λ = c/d) or a fixed number; the Barlow Twins orthogonality weight.</summary>
    public string Beta { get; init; } = "auto";
    public double BetaC { get; init; } = 4.0;
    /// <summary>VICReg invariance weight λ and variance weight μ.</summary>
    public double VicregLambda { get; init; } = 25;
    public double VicregMu { get; init; } = 25;
    public bool NoNormalize { get; init; }

    public string Model { get; init; } = "resnet18";
    public int Width { get; init; } = 16;
    public bool ImagenetStem { get; init; }
    public int ProjDim { get; init; } = 64;
    public int ProjLayers { get; init; } = 2;
    public int? ProjHidden { get; init; }

    public int Epochs { get; init; } = 10;
    /// <summary>Cap on optimiser steps (0 = no cap).</summary>
    public long Steps { get; init; }
    /// <summary>Stop pretraining after this many minutes of training (0 = no limit); the run ends with a checkpoint.</summary>
    public double TimeBudgetMinutes { get; init; }
    public int BatchSize { get; init; } = 256;
    public string Optimizer { get; init; } = "adam";
    public double Lr { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 1e-6;
    public string Schedule { get; init; } = "none";
    public double WarmupEpochs { get; init; }

    /// <summary>Lay convolution inputs and kernels out NHWC (faster on the CPU; docs/notes/2026-11-26-cpu-runtime-measurements.md#channels-last-only-from-16-channels).</summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>
    /// <c>fp32</c>, <c>bf16</c> (the backbone's convolutions in bfloat16 under libtorch's autocast; the projector,
    /// weights, optimiser, BatchNorm statistics and the loss in fp32) or <c>auto</c>, the default (bf16 where the hardware
    /// has native bf16, fp32 elsewhere; see <see cref="Models.PrecisionSetting.Resolve"/>). A config.json without this
    /// key predates the setting and was trained in fp32 (<see cref="FromJson"/>).
    /// </summary>
    public string Precision { get; init; } = "auto";

    /// <summary>
    /// Data-parallel jobs (<c>mpirun</c>/<c>srun</c>): BatchNorm statistics over the global batch, all ranks together
    /// (<see cref="Models.SyncBatchNorm"/>), so R ranks train exactly as one process with the same batch. Off: each rank
    /// normalises its own N/R images. No effect on a single process.
    /// </summary>
    public bool SyncBn { get; init; }

    /// <summary>Start from these weights instead of a random initialisation: a run directory, a checkpoint folder, or a .pt/.safetensors file (null = random).</summary>
    public string? Init { get; init; }

    /// <summary>The arithmetic <see cref="Precision"/> names on <see cref="Device"/>.</summary>
    public Models.Precision ResolvePrecision() => Models.PrecisionSetting.Resolve(Precision, Device);

    /// <summary>
    /// The arithmetic a readout of this run (probe, kNN, spectrum; embed when asked) computes features in:
    /// <paramref name="requested"/> if given, else the run's own <see cref="Precision"/>, so the run is measured as it
    /// trained and as its periodic evaluations saw it. fp64, a training check mode, reads out in fp32: its checkpoints
    /// load as fp32 (<see cref="RunEncoder.Load"/>).
    /// </summary>
    public Models.Precision ReadoutPrecision(string? requested = null)
    {
        var precision = Models.PrecisionSetting.Resolve(requested ?? Precision, Device);
        return precision == Models.Precision.Fp64 ? Models.Precision.Fp32 : precision;
    }

    /// <summary>Checkpoint inside an epoch every this many steps; 0 = every <see cref="CheckpointMinutes"/> of training. Every epoch end is checkpointed too.</summary>
    public long CheckpointEvery { get; init; }
    /// <summary>With <see cref="CheckpointEvery"/> = 0: minutes of pretraining between checkpoints inside an epoch.</summary>
    public double CheckpointMinutes { get; init; } = 10;
    /// <summary>Checkpoints kept; older ones are deleted once a new one is complete.</summary>
    public int KeepCheckpoints { get; init; } = 3;
    /// <summary>
    /// Collapse stop: training stops when <c>√d · mean_k std_k(ẑ)</c> — the per-dimension std over the batch of the
    /// L2-normalised embeddings ẑ, scaled so that embeddings spread evenly over all d dimensions give about 1 —
    /// stays below this value for <see cref="CollapseSteps"/> consecutive steps (0 = never).
    /// </summary>
    public double CollapseThreshold { get; init; } = 0.02;
    /// <summary>Consecutive steps below <see cref="CollapseThreshold"/> that count as collapse.</summary>
    public int CollapseSteps { get; init; } = 50;

    public int Seed { get; init; } = 0;
    public int Threads { get; init; }
    public string Device { get; init; } = "cpu";
    public int LogEvery { get; init; } = 10;

    /// <summary>Evaluate (short probe, kNN, spectra) every this many epochs and after the last one, into evals.jsonl (0 = never).</summary>
    public int EvalEvery { get; init; }
    /// <summary>Linear-probe epochs of each periodic evaluation (kept small: it runs many times).</summary>
    public int EvalProbeEpochs { get; init; } = 20;
    /// <summary>Training images (a seeded subset) the periodic probe and kNN use; 0 = the whole train split.</summary>
    public int EvalImages { get; init; }

    /// <summary>
    /// The JSON form of configs and checkpoint states. The resolver is set here, not left for the first (de)serialisation
    /// to fill in: <c>GetTypeInfo</c> (the checkpoint check's list of state keys) throws on options without one, and a
    /// process whose first use was a checkpoint read then refused every checkpoint as damaged (the failure was cached).
    /// </summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>
    /// Stage widths of the backbone (width·1, 2, 4, 8; bottleneck blocks use these and 4× these), each of which must
    /// suit libtorch's CPU convolutions (<see cref="Models.Conv2dLayer.CpuSafeInputChannels"/>): 8, 16, 32, 48, 64 do;
    /// 12 (24 channels in stage 2) or 24 do not.
    /// </summary>
    private static IEnumerable<long> StageChannels(int width) => [width, 2L * width, 4L * width, 8L * width];

    /// <summary>Checks every value and throws a <see cref="SelfSupError"/> naming the first bad flag.</summary>
    public void Validate()
    {
        SelfSup.Views.ViewSampler.CheckViews(Views);
        EncoderFor(inChannels: 1).Validate();
        Data.FractionSubset.Validate(Fraction);
        ToDataOptions().Validate(Dataset);
        if (!Losses.LossFactory.Methods.Contains(Method)) throw new SelfSupError($"unknown `method` '{Method}'; use one of: {string.Join(", ", Losses.LossFactory.Methods)}");
        if ((Method is "bt-official" or "vicreg-official") && Views != 2) throw new SelfSupError($"`method` {Method} is two-view only; use `views` 2, or `method` {(Method == "bt-official" ? "bt" : "vicreg")} for M > 2");
        Losses.BetaSetting.Parse(Beta, BetaC);
        if (!(BetaC > 0)) throw new SelfSupError($"`beta_c` {BetaC} must be positive (λ = c/d; the paper's tuned c is about 1.5–6.6 on CIFAR/STL)");
        if (Epochs < 1) throw new SelfSupError($"`epochs` {Epochs} must be at least 1");
        if (TimeBudgetMinutes < 0 || double.IsNaN(TimeBudgetMinutes)) throw new SelfSupError($"`time_budget` {TimeBudgetMinutes} must be ≥ 0 minutes (0 = no limit)");
        if (CropScale is not null && (CropScale.Length != 2 || !(CropScale[0] > 0) || !(CropScale[0] <= CropScale[1]) || !(CropScale[1] <= 1)))
            throw new SelfSupError($"`crop_scale` {string.Join(",", CropScale)} must be MIN,MAX with 0 < MIN <= MAX <= 1, e.g. 0.2,1");
        if (SmallCropScale is not null && SmallCropScale.Length != 2) throw new SelfSupError($"`small_crop_scale` {string.Join(",", SmallCropScale)} must be MIN,MAX, e.g. 0.05,0.4");
        if (SmallCrops > 0 && Method != "bt")
            throw new SelfSupError($"`small_crops` needs `method` bt (multi-view Barlow Twins compares every view with the full views' mean); '{Method}' has no such target");
        ResolveSmallCrops()?.Validate(ResolveAugmentation());
        if (Steps < 0) throw new SelfSupError($"`steps` {Steps} must be 0 (no cap) or positive");
        if (BatchSize < 2) throw new SelfSupError($"`batch_size` {BatchSize} must be at least 2 (BatchNorm and the losses need several images)");
        if (!(Lr > 0)) throw new SelfSupError($"`lr` {Lr} must be positive, e.g. 1e-3");
        if (WeightDecay < 0) throw new SelfSupError($"`weight_decay` {WeightDecay} must be ≥ 0");
        if (!OptimizerFactory.Names.Contains(Optimizer)) throw new SelfSupError($"unknown `optimizer` '{Optimizer}'; use one of: {string.Join(", ", OptimizerFactory.Names)}");
        if (!LearningRateSchedule.Kinds.Contains(Schedule)) throw new SelfSupError($"unknown `schedule` '{Schedule}'; use one of: {string.Join(", ", LearningRateSchedule.Kinds)}");
        if (ResolvePrecision() == Models.Precision.Bf16) Models.Autocast.EnsureAvailable();
        if (Threads < 0) throw new SelfSupError($"`threads` {Threads} must be ≥ 0 (0 = all cores)");
        if (LogEvery < 1) throw new SelfSupError($"`log_every` {LogEvery} must be at least 1");
        if (EvalEvery < 0) throw new SelfSupError($"`eval_every` {EvalEvery} must be 0 (off) or a number of epochs, e.g. 1");
        if (EvalProbeEpochs < 1) throw new SelfSupError($"`eval_probe_epochs` {EvalProbeEpochs} must be at least 1");
        if (EvalImages < 0) throw new SelfSupError($"`eval_images` {EvalImages} must be 0 (all) or a positive image count");
        if (Device is not ("cpu" or "cuda") && !Device.StartsWith("cuda:")) throw new SelfSupError($"unknown `device` '{Device}'; use cpu or cuda");
        if (Device == "cpu" && StageChannels(Width).FirstOrDefault(c => !Models.Conv2dLayer.CpuSafeInputChannels(c)) is var bad and > 0)
            throw new SelfSupError($"`width` {Width}: its {bad}-channel stage would read uninitialised memory in libtorch 2.10's CPU convolution (more than {Models.Conv2dLayer.CpuChannelBlock} input channels, not a multiple of {Models.Conv2dLayer.CpuChannelBlock}); use `width` 8, 16 or another multiple of 16");
        if (CheckpointEvery < 0) throw new SelfSupError($"`checkpoint_every` {CheckpointEvery} must be 0 (every `checkpoint_minutes`) or a number of steps");
        if (!(CheckpointMinutes > 0)) throw new SelfSupError($"`checkpoint_minutes` {CheckpointMinutes} must be a positive number of minutes, e.g. 10");
        if (KeepCheckpoints < 1) throw new SelfSupError($"`keep_checkpoints` {KeepCheckpoints} must be at least 1 (the newest checkpoint is what `resume` needs)");
        if (!(CollapseThreshold >= 0)) throw new SelfSupError($"`collapse_threshold` {CollapseThreshold} must be ≥ 0 (0 = never stop for collapse)");
        if (CollapseSteps < 1) throw new SelfSupError($"`collapse_steps` {CollapseSteps} must be at least 1");
    }

    /// <summary>
    /// This config with <see cref="DataDir"/> and <see cref="ClassList"/> as absolute paths (resolved against the
    /// current folder), so <c>probe</c>, <c>spectrum</c> and a resume find the data from any folder.
    /// </summary>
    public TrainConfig WithAbsolutePaths() => this with
    {
        DataDir = DataDir is null ? null : System.IO.Path.GetFullPath(DataDir),
        ClassList = ClassList is null ? null : System.IO.Path.GetFullPath(ClassList),
        Init = Init is null ? null : System.IO.Path.GetFullPath(Init),
    };

    /// <summary>The loss's first weight for this run (<see cref="Losses.LossFactory.Weight"/>): β for the Barlow Twins family, the invariance weight for VICReg.</summary>
    [JsonIgnore]
    public double LossWeight => Losses.LossFactory.Weight(Method, Losses.BetaSetting.Parse(Beta, BetaC), ProjDim, VicregLambda);

    /// <summary>The loss this run trains with.</summary>
    public Losses.IMultiViewLoss CreateLoss() => Losses.LossFactory.Create(Method, LossWeight, VicregMu, !NoNormalize, SmallCrops > 0 ? Views : null);

    /// <summary>The encoder this config describes, for images of <paramref name="inChannels"/> channels.</summary>
    public Models.EncoderConfig EncoderFor(int inChannels) => new(Model, inChannels, Width, ImagenetStem, ProjDim, ProjLayers, ProjHidden);

    /// <summary>The options the data source is opened with.</summary>
    public Data.DataOptions ToDataOptions() => new(Label, ClassList, CacheSide, PretrainSplit);

    /// <summary>The augmentation preset name this run uses.</summary>
    public string AugmentPreset => Augment ?? Dataset;

    /// <summary>Optional override of the preset's random-resized-crop area scale range, e.g. [0.4, 1].</summary>
    public double[]? CropScale { get; init; }

    /// <summary>Multi-crop: small crops per image besides the <see cref="Views"/> full-size ones (0: none; <see cref="SelfSup.Views.SmallCrops"/>).</summary>
    public int SmallCrops { get; init; }

    /// <summary>Side of the small crops; 0: half the full views' side.</summary>
    public int SmallCropSize { get; init; }

    /// <summary>Area range [min, max] of the small crops; null: SwAV's 0.05–0.4.</summary>
    public double[]? SmallCropScale { get; init; }

    /// <summary>The small crops this run draws, or null without multi-crop.</summary>
    public SelfSup.Views.SmallCrops? ResolveSmallCrops()
    {
        if (SmallCrops == 0) return null;
        var preset = ResolveAugmentation();
        return new SelfSup.Views.SmallCrops(SmallCrops, SmallCropSize > 0 ? SmallCropSize : SelfSup.Views.SmallCrops.DefaultSize(preset),
            SmallCropScale is { Length: 2 } s ? s[0] : SelfSup.Views.SmallCrops.DefaultScaleMin, SmallCropScale is { Length: 2 } t ? t[1] : SelfSup.Views.SmallCrops.DefaultScaleMax);
    }

    /// <summary>The augmentation this run uses: the preset, with <see cref="CropScale"/> applied.</summary>
    public SelfSup.Views.AugmentationPreset ResolveAugmentation()
    {
        var preset = SelfSup.Views.AugmentationPreset.ForName(AugmentPreset);
        return CropScale is { Length: 2 } s ? preset with { ScaleMin = s[0], ScaleMax = s[1] } : preset;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>This configuration with the settings <paramref name="keys"/> (config.json keys) taken from <paramref name="source"/>.</summary>
    public TrainConfig WithSettingsFrom(TrainConfig source, IEnumerable<string> keys)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(ToJson())!.AsObject();
        var from = System.Text.Json.Nodes.JsonNode.Parse(source.ToJson())!.AsObject();
        foreach (var key in keys.Distinct())
        {
            if (!json.ContainsKey(key)) throw new ArgumentException($"'{key}' is not a config.json key", nameof(keys));
            json[key] = from[key]?.DeepClone();
        }
        return FromJson(json.ToJsonString(), "the merged configuration");
    }

    /// <summary>
    /// Reads a config.json. One written before <see cref="Precision"/> existed has no <c>precision</c> key; its run
    /// trained in fp32, so it reads as <c>fp32</c>, not as today's default: a resume or a probe of it keeps its arithmetic.
    /// </summary>
    public static TrainConfig FromJson(string json, string source)
    {
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(json);
            if (node is System.Text.Json.Nodes.JsonObject settings && !settings.ContainsKey("precision")) settings["precision"] = "fp32";
            return node.Deserialize<TrainConfig>(Json) ?? throw new SelfSupError($"'{source}' is empty; it should hold a run's config.json");
        }
        catch (JsonException e)
        {
            throw new SelfSupError($"'{source}' is not a valid config.json ({e.Message}); restore it from the run or start a new run");
        }
    }
}
