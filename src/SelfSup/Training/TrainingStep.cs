using SelfSup.Distributed;
using SelfSup.Losses;
using SelfSup.Models;
using SelfSup.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// One optimiser step of self-supervised training — the step <see cref="Pretrainer"/> runs and <c>bench step</c> times:
/// N×M views → one forward pass over the N·M views → z (N×M×d, gathered over the ranks) → multi-view loss → backward →
/// gradients averaged over the ranks → one host read of (loss, Σ gradients, embedding spread) → optimiser step.
/// A non-finite loss or gradient is recomputed once from the same weights and BatchNorm statistics before it counts as
/// divergence (a transient cause passes); embeddings that stay collapsed stop training too (<see cref="CollapseMonitor"/>).
/// Parameters, gradients and BatchNorm buffers live in flat storage, so zeroing, the snapshot of the statistics, the
/// finiteness check, the all-reduce and the optimiser are a few kernels each, and the step synchronises with the
/// device once.
/// </summary>
public sealed class TrainingStep : IDisposable
{
    private readonly Encoder encoder;
    private readonly IMultiViewLoss loss;
    private readonly List<FlatStorage> buffers;
    private readonly CollapseMonitor collapse;
    private readonly double collapseThreshold;
    private readonly int collapseSteps;

    /// <param name="encoder">The model, already on its device and in its dtype (its buffers move into flat storage here).</param>
    /// <param name="loss">The multi-view loss on z (N×M×d).</param>
    /// <param name="optimizer">The optimiser over the encoder's parameters (<see cref="OptimizerFactory"/>).</param>
    /// <param name="collapseThreshold">Spread below which a step counts as collapsed (0: never).</param>
    /// <param name="collapseSteps">Consecutive collapsed steps that stop training.</param>
    public TrainingStep(Encoder encoder, IMultiViewLoss loss, ITrainingOptimizer optimizer, double collapseThreshold = 0, int collapseSteps = 1)
    {
        this.encoder = encoder; this.loss = loss; Optimizer = optimizer;
        this.collapseThreshold = collapseThreshold; this.collapseSteps = collapseSteps;
        collapse = new CollapseMonitor(collapseThreshold, collapseSteps);
        buffers = encoder.buffers().GroupBy(b => b.dtype).Select(g => new FlatStorage(g.ToList())).ToList();
        InputType = encoder.Precision == Precision.Fp64 ? ScalarType.Float64 : ScalarType.Float32;
    }

    public ITrainingOptimizer Optimizer { get; }

    /// <summary>The ranks training together (<see cref="GlobalBatch"/>, <see cref="GradientAverager"/>); one process by default.</summary>
    public ProcessGroup Group { get; init; } = ProcessGroup.Single;

    /// <summary>BatchNorm statistics over the global batch (<see cref="SyncBatchNorm"/>).</summary>
    public bool SyncBn { get; init; }

    /// <summary>Feed the encoder channels-last views (<see cref="MemoryLayout"/>).</summary>
    public bool ChannelsLast { get; init; }

    /// <summary>The views' arithmetic type: float64 for an fp64 encoder, else float32.</summary>
    public ScalarType InputType { get; }

    /// <summary>Called after every backward pass with the 0-based step, gradients averaged, before they are checked (tests poison a gradient here).</summary>
    public Action<Encoder, long>? AfterBackward { get; init; }

    /// <summary>Called at the end of each phase (the benchmark synchronises the device there to time phases).</summary>
    public Action<StepPhase>? OnPhase { get; set; }

    /// <summary>Where the warning of a recomputed step goes.</summary>
    public Action<string> Warn { get; init; } = SelfSupWarnings.Write;

    /// <summary>
    /// Trains on <paramref name="views"/> (this rank's N×M×C×S×S, on the device) at learning rate <paramref name="lr"/>;
    /// <paramref name="step"/> (0-based) and <paramref name="epoch"/> (0-based) name the step in messages.
    /// </summary>
    /// <exception cref="TrainingStopped">The loss or a gradient stayed non-finite, or the embeddings collapsed.</exception>
    public StepOutcome Run(Tensor views, double lr, long step, int epoch)
    {
        using var batch = new ViewBatch(views.alias());
        return Run(batch, lr, step, epoch);
    }

    /// <summary>As <see cref="Run(Tensor, double, long, int)"/> for full-size views and, with multi-crop, small crops (N×K×C×s×s).</summary>
    public StepOutcome Run(ViewBatch batch, double lr, long step, int epoch)
    {
        using var scope = torch.NewDisposeScope();
        var views = batch.Full;
        long n = views.shape[0], m = views.shape[1], k = batch.Small?.shape[1] ?? 0;
        var x = Input(views);
        var small = batch.Small is null ? null : Input(batch.Small);
        var statistics = buffers.Select(b => b.Data.clone()).ToList();   // BatchNorm's running statistics before this step

        var (z, readout) = ForwardBackward(x, small, n, m, k, step);
        if (!double.IsFinite(readout[0]) || !double.IsFinite(readout[1]))
        {
            Warn($"non-finite {(double.IsFinite(readout[0]) ? "gradient" : "loss")} at step {step + 1} ({Finiteness.Describe(views, z, encoder)}); recomputing the step once");
            using (torch.no_grad())   // the recomputed forward updates them once, as a clean step does
                foreach (var (buffer, before) in buffers.Zip(statistics)) buffer.Data.copy_(before);
            (z, readout) = ForwardBackward(x, small, n, m, k, step);
            if (!double.IsFinite(readout[0]) || !double.IsFinite(readout[1]))
                throw new TrainingStopped($"loss became {(double.IsFinite(readout[0]) ? "finite but its gradient did not" : readout[0].ToString())} at step {step + 1} (epoch {epoch + 1}; {Finiteness.Describe(views, z, encoder)})",
                    "Lower `lr` or raise `beta_c`/`beta`, then `resume`");
        }
        double spread = collapse.Record(readout[2]);
        if (collapse.Collapsed)
            throw new TrainingStopped($"the embeddings collapsed at step {step + 1} (epoch {epoch + 1}): √d·(per-dimension std of the L2-normalised embeddings) " +
                $"stayed below {collapseThreshold} for {collapseSteps} steps (now {spread:G3}; about 1 when they spread over all dimensions)",
                "Raise the orthogonality/variance weight (`beta_c`, `beta`, `vicreg_mu`) or lower `lr`, then start again or `resume`");
        Optimizer.SetLearningRate(lr);
        Optimizer.Step();
        OnPhase?.Invoke(StepPhase.Optimizer);
        return new StepOutcome(readout[0], spread);
    }

    /// <summary>
    /// z of this rank's images → the global batch's z on every rank (differentiable) → the loss a single process would
    /// compute → backward → gradients averaged over the ranks; then the one read of (loss, Σ gradients, spread).
    /// </summary>
    private (Tensor Z, double[] Readout) ForwardBackward(Tensor x, Tensor? small, long n, long m, long k, long step)
    {
        Optimizer.ZeroGrad();
        Tensor local;
        using (SyncBn ? SyncBatchNorm.Over(Group) : null) local = encoder.Forward(x, small);
        local = k == 0 ? local.reshape(n, m, -1)   // N×(M+K)×d: each image's full views, then its small crops
            : torch.cat([local.narrow(0, 0, n * m).reshape(n, m, -1), local.narrow(0, n * m, n * k).reshape(n, k, -1)], 1);
        var z = GlobalBatch.Gather(local, Group);
        var lossValue = loss.Forward(z);
        OnPhase?.Invoke(StepPhase.ForwardAndLoss);
        lossValue.backward();
        GradientAverager.Average(Optimizer.Flat.Grad, Group);
        AfterBackward?.Invoke(encoder, step);
        var readout = torch.stack([lossValue.detach().to(ScalarType.Float64), Finiteness.GradientSum(Optimizer.Flat), CollapseMonitor.Spread(z).to(ScalarType.Float64)]);
        var values = readout.cpu().data<double>().ToArray();
        OnPhase?.Invoke(StepPhase.Backward);
        return (z, values);
    }

    /// <summary>N×V×C×H×W views → N·V×C×H×W in the encoder's input type and layout.</summary>
    private Tensor Input(Tensor views)
    {
        var x = views.reshape(views.shape[0] * views.shape[1], views.shape[2], views.shape[3], views.shape[4]).to(InputType);
        return ChannelsLast ? MemoryLayout.ChannelsLast(x) : x;
    }

    public void Dispose()
    {
        foreach (var b in buffers) b.Dispose();
    }
}
