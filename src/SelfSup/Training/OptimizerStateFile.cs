using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// Reads and writes <c>optimizer.bin</c> in TorchSharp's own format for Adam and SGD (what checkpoints have always held),
/// through a TorchSharp optimiser over the same parameters that never steps. <see cref="Load"/> restores the
/// per-parameter state (step counts, moments, momentum buffers) and keeps the hyperparameters this optimiser was built
/// with: TorchSharp's loader would replace them with the file's (betas, eps, weight decay, momentum, amsgrad, maximize),
/// so a resume forced to a new <see cref="TrainConfig.WeightDecay"/> would silently keep the old one, and a damaged byte could turn on "maximize".
/// </summary>
internal sealed class OptimizerStateFile(OptimizerHelper codec) : IDisposable
{
    /// <summary>The per-parameter state objects (Adam.State, SGD.State), in parameter order.</summary>
    public IReadOnlyList<OptimizerState> States => codec.state_dict().State;

    /// <summary>Writes the file, with <paramref name="lr"/> as the group's learning rate.</summary>
    public void Save(string path, double lr)
    {
        foreach (var group in codec.ParamGroups) group.LearningRate = lr;
        codec.save_state_dict(path);
    }

    /// <summary>Reads the file's per-parameter state into <see cref="States"/>, keeping the configured hyperparameters.</summary>
    public void Load(string path)
    {
        var groups = codec.ParamGroups.Cast<ParamGroup>().ToList();
        var configured = groups.Select(group =>
        {
            using var bytes = new MemoryStream();
            using (var writer = new BinaryWriter(bytes)) group.Options.SaveStateDict(writer);
            return bytes.ToArray();
        }).ToList();
        codec.load_state_dict(path);
        foreach (var (group, options) in groups.Zip(configured))
        {
            using var reader = new BinaryReader(new MemoryStream(options));
            group.Options.LoadStateDict(reader);
        }
    }

    public void Dispose() => codec.Dispose();
}
