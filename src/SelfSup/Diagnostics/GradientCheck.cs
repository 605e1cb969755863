using SelfSup.Distributed;
using SelfSup.Losses;
using SelfSup.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Diagnostics;

/// <summary>
/// The proof that data parallelism changes nothing: on every rank, the gradient of the global loss computed from the
/// rank's slice (gathered with <see cref="AllReduceFunction"/>, BatchNorm over all ranks with <see cref="Training.TrainConfig.SyncBn"/>,
/// gradients averaged) is compared with the gradient one process computes from the whole batch with ordinary BatchNorm.
/// The same model (seeded) and a seeded random batch on every rank; float64 so the comparison measures the algorithm,
/// not rounding. Also measures what a plain all-reduce — one whose backward passes the gradient through unchanged —
/// would give.
/// </summary>
public static class GradientCheck
{
    public static GradientCheckResult Run(ProcessGroup group, IMultiViewLoss loss, EncoderConfig model, int batchSize, int views, int side, int seed = 0, ScalarType dtype = ScalarType.Float64)
    {
        using var scope = NewDisposeScope();
        var (offset, count) = GlobalBatch.Slice(batchSize, group.Rank, group.Size);
        var generator = new Generator((ulong)seed);
        var images = randn([batchSize * views, model.InChannels, side, side], dtype: dtype, generator: generator);

        Encoder Build()
        {
            manual_seed(seed);
            var e = new Encoder(model);
            e.to(dtype);
            e.train();
            return e;
        }
        Dictionary<string, Tensor> Gradients(Encoder e) =>
            e.named_parameters().Where(p => p.parameter.grad is not null).ToDictionary(p => p.name, p => p.parameter.grad!.clone());

        // one process, the whole batch, libtorch's own BatchNorm
        using var single = Build();
        var singleLoss = loss.Forward(single.forward(images).reshape(batchSize, views, -1));
        singleLoss.backward();
        var reference = Gradients(single);

        // this rank's slice of the same batch, as the trainer does it
        double Distributed(Encoder e, bool plain)
        {
            var mine = images.reshape(batchSize, views, model.InChannels, side, side).narrow(0, offset, count).reshape(count * views, model.InChannels, side, side);
            Tensor local;
            using (SyncBatchNorm.Over(group)) local = e.forward(mine).reshape(count, views, -1);
            Tensor z;
            if (plain)
            {
                // the trap: the sum over ranks as a constant plus the rank's own rows, so the gradient passes through unchanged
                var all = GlobalBatch.Gather(local.detach(), group);
                var mask = zeros(batchSize, 1, 1, dtype: local.dtype); mask.narrow(0, offset, count).fill_(1);
                z = all * (1 - mask) + GlobalBatch.Pad(local, group.Rank, group.Size);
            }
            else z = GlobalBatch.Gather(local, group);
            var value = loss.Forward(z);
            value.backward();
            GradientAverager.Average(e.parameters(), group);
            return value.ToDouble();
        }

        using var dp = Build();
        double dpLoss = Distributed(dp, plain: false);
        double refNorm = Math.Sqrt(reference.Values.Sum(g => g.square().sum().ToDouble()));
        double worst = 0; string worstName = "";
        foreach (var (name, g) in Gradients(dp))
        {
            // relative to the parameter's own gradient, floored at 10⁻⁶ of the whole gradient: some are 0 in exact
            // arithmetic (the last bias under VICReg, whose terms are all centred), and their rounding is not an error
            double err = (g - reference[name]).norm().ToDouble() / Math.Max(1e-6 * refNorm, reference[name].norm().ToDouble());
            if (err > worst) (worst, worstName) = (err, name);
        }

        using var trap = Build();
        Distributed(trap, plain: true);
        var trapGrads = Gradients(trap);
        double trapNorm = Math.Sqrt(trapGrads.Values.Sum(g => g.square().sum().ToDouble()));
        return new GradientCheckResult(dpLoss, singleLoss.ToDouble(), worst, worstName, trapNorm / refNorm);
    }
}
