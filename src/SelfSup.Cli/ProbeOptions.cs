using System.CommandLine;
using SelfSup.Evaluation;
using SelfSup.Training;

namespace SelfSup.Cli;

/// <summary>Flags of the linear readout, shared by <c>probe</c> and <c>pretrain</c>.</summary>
public sealed class ProbeOptions
{
    public readonly Option<int> ProbeEpochs = new("--probe-epochs") { Description = "Linear-probe epochs", DefaultValueFactory = _ => 200 };
    public readonly Option<int> AverageViews = new("--average-views") { Description = "Average each image's feature over 1 clean + K-1 augmented views (16 = authors)", DefaultValueFactory = _ => 1 };
    public readonly Option<bool> Baselines = new("--baselines") { Description = "Also probe raw pixels and a randomly initialised encoder" };
    public readonly Option<bool> NoKnn = new("--no-knn") { Description = "Skip the kNN readout" };
    public readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Checkpoint folder to evaluate (default: the run's newest)" };
    public readonly Option<string?> Precision = new("--precision") { Description = "Feature extraction in fp32, bf16 or auto (default: the run's --precision)" };
    public readonly Option<bool> NoProbe = new("--no-probe") { Description = "Skip the linear probe after pretraining" };

    public void AddTo(Command command, bool includeSkip)
    {
        command.Options.Add(ProbeEpochs); command.Options.Add(AverageViews); command.Options.Add(Baselines); command.Options.Add(NoKnn);
        command.Options.Add(Checkpoint);
        if (!includeSkip) command.Options.Add(Precision);  // pretrain's own --precision covers its readout
        if (includeSkip) command.Options.Add(NoProbe);
    }

    public bool Skipped(ParseResult r) => r.GetValue(NoProbe);

    public ReadoutOptions Read(ParseResult r)
    {
        int epochs = r.GetValue(ProbeEpochs), views = r.GetValue(AverageViews);
        if (epochs < 1) throw new SelfSupError($"--probe-epochs {epochs} must be at least 1");
        if (views < 1) throw new SelfSupError($"--average-views {views} must be at least 1");
        string? checkpoint = r.GetValue(Checkpoint);
        if (checkpoint is not null && !File.Exists(Path.Combine(checkpoint, "model.bin")))
            throw new SelfSupError($"--checkpoint '{checkpoint}' has no model.bin; pass a folder like RUN_DIR/checkpoints/epoch-0003");
        string? precision = r.GetValue(Precision);
        if (precision is not null) Models.PrecisionSetting.Resolve(precision);  // an unknown name fails here, naming the flag
        return new ReadoutOptions(epochs, views, r.GetValue(Baselines), !r.GetValue(NoKnn), Checkpoint: checkpoint is null ? null : Path.GetFullPath(checkpoint), Precision: precision);
    }
}
