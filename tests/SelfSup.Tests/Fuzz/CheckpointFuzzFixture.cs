using Encoding = System.Text.Encoding;
using System.Text.Json.Nodes;
using SelfSup.Models;
using SelfSup.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Real checkpoints for the checkpoint fuzz tests, one run per optimiser (adam, sgd, lars): a ResNet-18 of width 4
/// pretrained for one step on 16 synthetic Fashion-MNIST images in batches of 8 (checkpoint <see cref="Older"/>),
/// then resumed for the second and last step of the epoch (<see cref="Newest"/>), with the bytes of the weights the
/// trainer held when it wrote each. Also holds the encoder and the
/// optimisers the tests load checkpoints into, and where the fields of model.bin lie.
/// </summary>
public sealed class CheckpointFuzzFixture : IDisposable
{
    public const string Older = "step-000000001", Newest = "epoch-0001";
    public static readonly string[] Checkpoints = [Older, Newest];
    public static readonly string[] FileNames = ["model.bin", "optimizer.bin", "state.json"];

    private readonly FuzzDir _dir = new();

    public CheckpointFuzzFixture()
    {
        string data = _dir.File("data");
        SyntheticFashionMnist.Write(data, trainCount: 16, testCount: 8);
        var config = new TrainConfig
        {
            DataDir = data, Width = 8, ProjDim = 8, BatchSize = 8, Steps = 2, Epochs = 1, Threads = 1, ChannelsLast = false,
            CheckpointEvery = 1, Seed = 5,
        };
        Encoder = new Encoder(config.EncoderFor(1));
        Parameters = Encoder.parameters().ToList();
        ModelLayout = TorchSharpLayout.Model(Encoder.state_dict().Select(kv => (kv.Key, kv.Value)).ToList());
        foreach (var kind in OptimizerFactory.Names)
        {
            var run = Train(config with { Optimizer = kind });
            Runs[kind] = run;
            Optimizers[kind] = OptimizerFactory.Create(kind, Parameters, run.Config.Lr, run.Config.WeightDecay);
        }
    }

    /// <summary>A temporary folder in RAM for the cases.</summary>
    public FuzzDir Dir => _dir;
    public Dictionary<string, FuzzCheckpointRun> Runs { get; } = [];
    /// <summary>An encoder of the runs' architecture, to load model.bin files into.</summary>
    public Encoder Encoder { get; }
    public List<TorchSharp.Modules.Parameter> Parameters { get; }
    /// <summary>An optimiser of each kind over <see cref="Parameters"/>, built as the trainer builds it.</summary>
    public Dictionary<string, ITrainingOptimizer> Optimizers { get; } = [];
    public TorchSharpLayout ModelLayout { get; }

    /// <summary>Reference runs trained again because a step left NaN in the weights (see <see cref="DrainFinalizers"/>).</summary>
    public int NanRetries { get; private set; }

    /// <summary>The reference run of one optimiser, trained again (at most twice) when a step left NaN in the weights.</summary>
    private FuzzCheckpointRun Train(TrainConfig config)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (TrainOnce(config, new RunDirectory(_dir.File($"run-{config.Optimizer}-{attempt}"))) is { } run) return run;
            }
            catch (SelfSupError e) when (e.Message.Contains("became NaN", StringComparison.Ordinal) && attempt < 3) { }
            if (attempt == 3) throw new InvalidOperationException($"three {config.Optimizer} reference runs ended with NaN weights");
            NanRetries++;
        }
    }

    /// <summary>One reference run (two checkpoints), or null when its weights are not finite.</summary>
    private FuzzCheckpointRun? TrainOnce(TrainConfig config, RunDirectory run)
    {
        var weights = new Dictionary<string, Dictionary<string, byte[]>>();
        foreach (var (checkpoint, steps, resume) in new[] { (Older, 1L, false), (Newest, 2L, true) })
        {
            DrainFinalizers();
            using var encoder = new Pretrainer(config with { Steps = steps }, run).Run(resume).Encoder;
            if (!Finite(encoder)) return null;
            weights[checkpoint] = Snapshot(encoder);
        }

        string legacyPath = _dir.File($"run-{config.Optimizer}-legacy");
        CopyFolder(run.Path, legacyPath);
        var hashed = new Dictionary<string, Dictionary<string, byte[]>>();
        var legacy = new Dictionary<string, Dictionary<string, byte[]>>();
        foreach (var checkpoint in Checkpoints)
        {
            string dir = Path.Combine(run.CheckpointsPath, checkpoint);
            hashed[checkpoint] = FileNames.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(dir, f)));
            legacy[checkpoint] = new Dictionary<string, byte[]>(hashed[checkpoint]) { ["state.json"] = WithoutRecords(hashed[checkpoint]["state.json"]) };
            File.WriteAllBytes(Path.Combine(legacyPath, "checkpoints", checkpoint, "state.json"), legacy[checkpoint]["state.json"]);
        }
        var optimizerLayout = TorchSharpLayout.Optimizer(config.Optimizer, Parameters);
        return new FuzzCheckpointRun(config.Optimizer, config, run.Path, legacyPath, hashed, legacy, weights, optimizerLayout);
    }

    /// <summary>A state.json as written before sizes and hashes were recorded: without "files" and "state_sha256".</summary>
    private static byte[] WithoutRecords(byte[] stateJson)
    {
        var state = JsonNode.Parse(stateJson)!.AsObject();
        if (!state.Remove("files") | !state.Remove("state_sha256"))
            throw new InvalidOperationException("state.json has no \"files\" or \"state_sha256\" to remove; the fixture expects both");
        return Encoding.UTF8.GetBytes(state.ToJsonString(TrainConfig.Json));
    }

    private static bool Finite(Encoder encoder)
    {
        using var scope = torch.NewDisposeScope();
        return encoder.parameters().All(p => p.isfinite().all().item<bool>());
    }

    /// <summary>The bytes of every tensor of <paramref name="encoder"/>'s state, in managed memory.</summary>
    public static Dictionary<string, byte[]> Snapshot(Encoder encoder)
    {
        using var scope = torch.NewDisposeScope();
        return encoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().contiguous().bytes.ToArray());
    }

    /// <summary>
    /// Runs the finalizers of tensors left to the garbage collector before each reference training run. Training at
    /// width 4 sometimes leaves NaN in the first parameters after an Adam step (conv1 up to a block's first batch
    /// norm): seen here with and without this branch's changes, and in a fresh CLI process (InterruptionTests:
    /// "loss became NaN at step 2 … weights NOT finite"). In the fuzz fixture it happened in 4 of 5 builds, and in
    /// none of 6 with the finalizers drained first. The cause was later found in libtorch's convolution backward
    /// (uninitialised kernel padding, now avoided: <see cref="Conv2dLayer.CpuChannelBlock"/>); this and the retry
    /// in <see cref="Train"/> stay as a second guard for the reference checkpoints.
    /// </summary>
    public static void DrainFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    public static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyFolder(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    public void Dispose()
    {
        foreach (var optimizer in Optimizers.Values) optimizer.Dispose();
        Encoder.Dispose();
        _dir.Dispose();
    }
}
