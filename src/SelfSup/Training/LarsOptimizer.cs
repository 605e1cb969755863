using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// LARS (You et al., 2017) as used by Barlow Twins and VICReg: for each weight matrix / kernel w
/// with gradient g,
///   g ← g + wd·w;  trust = η·‖w‖/‖g‖ (1 when either norm is 0);  v ← m·v + trust·g;  w ← w − lr·v.
/// Biases and BatchNorm parameters (1-D tensors) get neither weight decay nor the trust ratio.
/// The first step sets v ← trust·g. All parameters are updated at once (<see cref="FlatParameters"/>): the norms are
/// one kernel per parameter, everything else a few whole-buffer ops.
/// </summary>
public sealed class LarsOptimizer : FlatOptimizer
{
    private readonly Tensor decayed, segmentOf, isMatrix;
    private readonly HeavyBall heavyBall;
    private readonly double weightDecay, eta;

    public LarsOptimizer(FlatParameters flat, double lr, double weightDecay, double momentum = 0.9, double eta = 0.001) : base(flat, lr)
    {
        this.weightDecay = weightDecay; this.eta = eta;
        var device = flat.Data.device;
        heavyBall = new HeavyBall(flat.Data, momentum);
        var matrix = flat.Parameters.Select(p => p.dim() > 1).ToArray();
        isMatrix = torch.tensor(matrix, device: device);
        var counts = flat.Segments.Select(s => s.Count).ToArray();
        using var segment = torch.arange(counts.Length, dtype: ScalarType.Int64);
        using var countTensor = torch.tensor(counts);
        segmentOf = segment.repeat_interleave(countTensor).to(device);                 // parameter index of every element
        using var matrixAsType = isMatrix.to(flat.Data.dtype);
        decayed = matrixAsType.index_select(0, segmentOf);                                 // 1 on matrices and kernels, 0 on 1-D
    }

    public override void Step()
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var g = Flat.Grad.addcmul(Flat.Data, decayed, value: weightDecay);
        var weightNorms = PerParameterNorms(Flat.Data);
        var gradNorms = PerParameterNorms(g);
        var trust = torch.where(isMatrix & (weightNorms > 0) & (gradNorms > 0), eta * weightNorms / gradNorms, torch.ones_like(weightNorms));
        g.mul_(trust.index_select(0, segmentOf));
        heavyBall.Step(Flat.Data, g, LearningRate);
    }

    /// <summary>‖x_p‖ of every parameter's part of a flat buffer, as one tensor.</summary>
    private Tensor PerParameterNorms(Tensor flat) =>
        torch.stack(Flat.Segments.Select(s => flat.narrow(0, s.Offset, s.Count).norm()).ToArray());

    public override void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Flat.Parameters.Count);
        for (int i = 0; i < Flat.Parameters.Count; i++)
        {
            writer.Write(heavyBall.Started);
            if (!heavyBall.Started) continue;
            using var view = Flat.Segment(heavyBall.Velocity, i);
            view.Save(writer);
        }
    }

    public override void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        int n = reader.ReadInt32();
        if (n != Flat.Parameters.Count) throw new SelfSupError($"'{path}' holds LARS state for {n} parameters but the model has {Flat.Parameters.Count}; the checkpoint belongs to another model");
        var present = new bool[n];
        for (int i = 0; i < n; i++)
        {
            present[i] = reader.ReadBoolean();
            if (!present[i]) continue;
            using var view = Flat.Segment(heavyBall.Velocity, i);
            view.Load(reader);
        }
        heavyBall.Started = present.All(p => p);
        if (!heavyBall.Started && present.Any(p => p))
            throw new SelfSupError($"'{path}' holds LARS velocity for some parameters only; all parameters step together, so it was not written by SelfSup");
        if (!heavyBall.Started) heavyBall.Velocity.zero_();
    }

    protected override void DisposeState()
    {
        heavyBall.Dispose(); decayed.Dispose(); segmentOf.Dispose(); isMatrix.Dispose();
    }
}
