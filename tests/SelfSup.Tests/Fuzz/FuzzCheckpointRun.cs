using SelfSup.Training;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// One pretrained run of <see cref="CheckpointFuzzFixture"/>: its optimiser and configuration, the run folder as
/// written (<paramref name="HashedRunPath"/>) and a copy whose state.json files have no size/hash records
/// (<paramref name="LegacyRunPath"/>, as SelfSup wrote them before), the bytes of every checkpoint file in both
/// forms (checkpoint → file → bytes), the bytes of the weights the trainer held when it wrote each checkpoint
/// (checkpoint → name → bytes), and where the
/// fields of its optimizer.bin lie.
/// </summary>
public sealed record FuzzCheckpointRun(
    string Optimizer,
    TrainConfig Config,
    string HashedRunPath,
    string LegacyRunPath,
    IReadOnlyDictionary<string, Dictionary<string, byte[]>> Hashed,
    IReadOnlyDictionary<string, Dictionary<string, byte[]>> Legacy,
    IReadOnlyDictionary<string, Dictionary<string, byte[]>> Weights,
    TorchSharpLayout OptimizerLayout)
{
    /// <summary>The original files of the hashed or the legacy form.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, byte[]>> Files(bool legacy) => legacy ? Legacy : Hashed;

    /// <summary>The run folder of the hashed or the legacy form.</summary>
    public string RunPath(bool legacy) => legacy ? LegacyRunPath : HashedRunPath;
}
