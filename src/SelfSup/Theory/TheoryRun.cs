using System.Diagnostics;
using SelfSup.Losses;
using SelfSup.Models;
using SelfSup.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Theory;

/// <summary>
/// Trains a small encoder on views drawn from a <see cref="SyntheticWorld"/> with SelfSup's own loss
/// (<see cref="LossFactory"/>) and optimiser (<see cref="OptimizerFactory"/>), and measures during training how
/// close the learned embeddings come to the top eigenfunctions of the augmentation kernel.
/// <para>
/// Encoder: MLP Linear(D → H) → ReLU → Linear(H → H) → ReLU gives the features (H), then SelfSup's
/// <see cref="Projector"/> (Linear(H → H) → BatchNorm → ReLU → Linear(H → d)) the embeddings (d). The projector's hidden
/// layer is as wide as the encoder: at the trainer's default width (= d) a theory run's d of 2–16 is a d-wide ReLU
/// bottleneck, which left the alignment at 0.13 where width H reaches 0.47 (docs/notes/2026-12-04-theory-recipe.md). A step draws B images uniformly,
/// M views per image (j ~ P[i, :], x = R[j] + σε), one forward pass over all B·M views, the loss on B × M × d.
/// Evaluation runs the encoder on the n clean renderings R in training mode under no_grad (BatchNorm normalises
/// with the statistics of the n latent images, close to those of a view batch).
/// </para>
/// </summary>
public static class TheoryRun
{
    /// <summary>The result: evaluations in order and the final embeddings of the n latent images (n × d, float32).</summary>
    public sealed record Result(IReadOnlyList<TheoryEvaluation> Evaluations, Tensor Embeddings);

    /// <summary>Runs the training; <paramref name="progress"/> gets (steps done, steps in all).</summary>
    public static Result Run(SyntheticWorld world, AugmentationKernel exact, TheoryRunSettings s, Action<int, int>? progress = null)
    {
        Views.ViewSampler.CheckViews(s.Views);
        if (s.Steps < 1) throw new SelfSupError($"`steps` {s.Steps} must be at least 1.");
        if (s.BatchSize < 2) throw new SelfSupError($"`batch_size` {s.BatchSize} must be at least 2 (the loss standardises over the batch).");
        int n = world.Count, d = s.ProjDim;
        if (d + 1 > n) throw new SelfSupError($"`proj_dim` {d} is too large for n = {n} latent images; use d ≤ n − 1.");
        var generator = new Generator((ulong)s.Seed);
        torch.manual_seed(s.Seed);
        using var backbone = Sequential(Linear(world.RenderDim, s.Hidden), ReLU(), Linear(s.Hidden, s.Hidden), ReLU());
        using var projector = new Projector(s.Hidden, d, hiddenDim: s.Hidden);
        var parameters = backbone.parameters().Concat(projector.parameters()).ToList();
        using var optimizer = OptimizerFactory.Create(s.Optimizer, parameters, s.LearningRate, s.WeightDecay);
        var loss = LossFactory.Create(s.Method, s.Beta, 25, normalize: true);
        using var transition = tensor(world.Transition, dtype: float64);
        using var render = tensor(world.Render, dtype: float32);
        using var pairCounts = zeros(n * (long)n, dtype: float64);
        var evaluations = new List<TheoryEvaluation>();
        var clock = new Stopwatch();
        using var noise = world.Noise.ToScalar(); // explicit: an implicit Scalar may be finalised during the native call
        double lossSum = 0; int lossCount = 0;

        void Evaluate(int step)
        {
            clock.Stop();
            evaluations.Add(Measure(backbone, projector, render, exact, pairCounts, n, s, step,
                lossCount > 0 ? lossSum / lossCount : double.NaN, clock.Elapsed.TotalSeconds));
            lossSum = 0; lossCount = 0;
            clock.Start();
        }

        backbone.train(); projector.train();
        Evaluate(0);
        for (int step = 1; step <= s.Steps; step++)
        {
            using (var scope = NewDisposeScope())
            {
                var images = randint(0, n, s.BatchSize, dtype: int64, generator: generator);
                var latent = multinomial(transition.index_select(0, images), s.Views, replacement: true, generator: generator); // B × M
                CountPairs(pairCounts, latent, n, s.Views);
                var x = render.index_select(0, latent.reshape(-1));
                if (world.Noise > 0) x = x + randn(x.shape, generator: generator).mul_(noise);
                var z = projector.forward(backbone.forward(x)).reshape(s.BatchSize, s.Views, d);
                var l = loss.Forward(z);
                optimizer.ZeroGrad();
                l.backward();
                optimizer.Step();
                double v = l.item<float>();
                if (!double.IsFinite(v))
                    throw new SelfSupError($"theory run (M = {s.Views}, d = {d}, beta = {s.Beta}): the loss became {v} at step {step}; lower `lr` or beta.");
                lossSum += v; lossCount++;
            }
            if (step % Math.Max(1, s.EvalEvery) == 0 || step == s.Steps) Evaluate(step);
            progress?.Invoke(step, s.Steps);
        }
        using (no_grad())
        {
            var final = projector.forward(backbone.forward(render)).detach().contiguous();
            return new Result(evaluations, final);
        }
    }

    /// <summary>Adds every ordered pair (a ≠ b) of views of the same image to the n × n counts (flattened).</summary>
    private static void CountPairs(Tensor counts, Tensor latent, int n, int m)
    {
        using var scope = NewDisposeScope();
        var a = latent.unsqueeze(2).expand(-1, m, m);
        var b = latent.unsqueeze(1).expand(-1, m, m);
        var offDiagonal = ones(m, m, dtype: @bool).logical_xor(eye(m, dtype: @bool)).unsqueeze(0).expand(latent.shape[0], -1, -1);
        var index = (a * n + b).masked_select(offDiagonal);
        using var one = 1.0.ToScalar();
        counts.index_add_(0, index, ones(index.shape[0], dtype: float64), one);
    }

    private static TheoryEvaluation Measure(Module<Tensor, Tensor> backbone, Projector projector, Tensor render, AugmentationKernel exact,
        Tensor pairCounts, int n, TheoryRunSettings s, int step, double meanLoss, double seconds)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = backbone.forward(render);
        var embeddings = projector.forward(features);
        int d = s.ProjDim;
        double empirical = double.NaN, kernelAlignment = double.NaN;
        if (s.EmpiricalKernel && step > 0)
        {
            using var kernel = AugmentationKernel.FromPairCounts(pairCounts.reshape(n, n));
            empirical = kernel.Align(embeddings, d);
            kernelAlignment = exact.Align(kernel.TopEigenfunctions(d), d);
        }
        var z = embeddings.to(float64);
        var centred = z - z.mean([0], keepdim: true);
        var covariance = centred.t().matmul(centred) / Math.Max(1, n - 1);
        var spectrum = linalg.eigvalsh(covariance).flip(0).data<double>().ToArray();
        return new TheoryEvaluation(step, s.Views, d, s.Beta, s.BetaRule, exact.Align(embeddings, d), exact.AlignPrincipal(features, d),
            empirical, kernelAlignment, meanLoss, spectrum, seconds);
    }
}
