using SelfSup.Training;

namespace SelfSup.Tests.Interop;

/// <summary>
/// A width-8 ResNet-18 (d = 16) trained for 6 steps on a synthetic Fashion-MNIST (48 train, 40 test images) in a
/// temporary folder: the run the export and import tests start from.
/// </summary>
public sealed class TinyTrainedRun : IDisposable
{
    public TempDir Dir { get; } = new();
    public RunDirectory Run { get; }
    public string DataDir => Dir.File("data");

    public TinyTrainedRun() : this(config => config) { }

    /// <summary>The same run with <paramref name="adjust"/> applied to its config (another model, stem, …).</summary>
    internal TinyTrainedRun(Func<TrainConfig, TrainConfig> adjust)
    {
        SyntheticFashionMnist.Write(DataDir, trainCount: 48);
        Run = new RunDirectory(Dir.File("run"));
        var config = new TrainConfig { DataDir = DataDir, Width = 8, ProjDim = 16, BatchSize = 8, Epochs = 1, LogEvery = 1, Threads = 1, Seed = 3 };
        new Pretrainer(adjust(config), Run).Run(false).Encoder.Dispose();
    }

    public void Dispose() => Dir.Dispose();
}
