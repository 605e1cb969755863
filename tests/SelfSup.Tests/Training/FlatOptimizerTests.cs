using SelfSup.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Training;

/// <summary>The flat optimisers against TorchSharp's own Adam and SGD, and against the LARS formula written out per parameter.</summary>
public sealed class FlatOptimizerTests
{
    /// <summary>Parameters of a small model's shapes (a kernel, a matrix, 1-D BatchNorm-like vectors), each call the same values.</summary>
    private static List<Parameter> Parameters() =>
    [
        new(randn([8, 3, 3, 3], generator: new Generator(1))),
        new(randn([8], generator: new Generator(2))),
        new(randn([16, 8], generator: new Generator(3))),
        new(zeros(16)),
    ];

    /// <summary>Gradient k of parameter p: the same for every optimiser under test.</summary>
    private static Tensor Gradient(Parameter p, int index, int step) => randn(p.shape, generator: new Generator((ulong)(100 * step + index)));

    private static double MaxRelativeGap(IEnumerable<Tensor> a, IEnumerable<Tensor> b)
    {
        var x = cat(a.Select(t => t.detach().reshape(-1)).ToArray()).to(ScalarType.Float64);
        var y = cat(b.Select(t => t.detach().reshape(-1)).ToArray()).to(ScalarType.Float64);
        return (x - y).abs().max().item<double>() / y.abs().max().item<double>();
    }

    /// <summary>Runs <paramref name="steps"/> steps of a flat optimiser, the gradients written into the parameters' .grad views.</summary>
    private static List<Parameter> RunFlat(Func<List<Parameter>, ITrainingOptimizer> create, int steps)
    {
        var ps = Parameters();
        using var optimizer = create(ps);
        for (int s = 0; s < steps; s++)
        {
            optimizer.ZeroGrad();
            using (no_grad()) for (int i = 0; i < ps.Count; i++) ps[i].grad!.copy_(Gradient(ps[i], i, s));
            optimizer.SetLearningRate(0.01 * (s + 1));
            optimizer.Step();
        }
        return ps.Select(p => new Parameter(p.detach().clone())).ToList();
    }

    private static List<Parameter> RunTorch(Func<List<Parameter>, OptimizerHelper> create, int steps)
    {
        var ps = Parameters();
        using var optimizer = create(ps);
        for (int s = 0; s < steps; s++)
        {
            optimizer.zero_grad();
            for (int i = 0; i < ps.Count; i++) ps[i].grad = Gradient(ps[i], i, s);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = 0.01 * (s + 1);
            optimizer.step();
        }
        return ps;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Flat_Adam_matches_TorchSharps_Adam(bool fused)
    {
        if (fused) Assert.True(FusedAdamKernel.IsAvailable, "libtorch 2.10 exports the fused Adam kernel");
        var flat = RunFlat(ps => new FlatAdam(new FlatParameters(ps), 0.01, 1e-3, fused), 6);
        var reference = RunTorch(ps => optim.Adam(ps, 0.01, weight_decay: 1e-3), 6);
        double gap = MaxRelativeGap(flat, reference);
        Assert.True(gap < 1e-6, $"gap {gap}");
        Assert.True(MaxRelativeGap(Parameters(), reference) > 1e-3, "the steps moved the parameters");
    }

    [Fact]
    public void Flat_SGD_matches_TorchSharps_SGD()
    {
        var flat = RunFlat(ps => OptimizerFactory.Create("sgd", ps, 0.01, 1e-3, momentum: 0.9), 5);
        var reference = RunTorch(ps => optim.SGD(ps, 0.01, momentum: 0.9, weight_decay: 1e-3), 5);
        Assert.True(MaxRelativeGap(flat, reference) < 1e-6);
    }

    [Fact]
    public void LARS_follows_its_formula_parameter_by_parameter()
    {
        const double wd = 1e-2, momentum = 0.9, eta = 0.001;
        var flat = RunFlat(ps => OptimizerFactory.Create("lars", ps, 0.01, wd, momentum), 4);
        // the formula, per parameter, in float64: g ← g + wd·w; trust = η‖w‖/‖g‖; v ← m·v + trust·g; w ← w − lr·v (1-D: no wd, no trust)
        var ps = Parameters().Select(p => p.detach().to(ScalarType.Float64)).ToList();
        var velocity = new Tensor?[ps.Count];
        for (int s = 0; s < 4; s++)
            for (int i = 0; i < ps.Count; i++)
            {
                var g = Gradient(Parameters()[i], i, s).to(ScalarType.Float64);
                if (ps[i].dim() > 1)
                {
                    g = g + wd * ps[i];
                    double w = ps[i].norm().item<double>(), n = g.norm().item<double>();
                    g = g * (w > 0 && n > 0 ? eta * w / n : 1.0);
                }
                velocity[i] = velocity[i] is null ? g : momentum * velocity[i]! + g;
                ps[i] = ps[i] - 0.01 * (s + 1) * velocity[i]!;
            }
        double gap = MaxRelativeGap(flat, ps);
        Assert.True(gap < 1e-5, $"gap {gap}");
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd")]
    [InlineData("lars")]
    public void Saved_state_resumes_the_same_steps(string name)
    {
        using var dir = new TempDir();
        var straight = RunFlat(ps => OptimizerFactory.Create(name, ps, 0.01, 1e-3), 4);
        var ps = Parameters();
        using (var first = OptimizerFactory.Create(name, ps, 0.01, 1e-3))
        {
            for (int s = 0; s < 2; s++)
            {
                using (no_grad()) for (int i = 0; i < ps.Count; i++) ps[i].grad!.copy_(Gradient(ps[i], i, s));
                first.SetLearningRate(0.01 * (s + 1));
                first.Step();
            }
            first.Save(dir.File("optimizer.bin"));
        }
        var weights = ps.Select(p => p.detach().clone()).ToList();
        var resumed = Parameters();
        using (no_grad()) for (int i = 0; i < resumed.Count; i++) resumed[i].copy_(weights[i]);
        using (var second = OptimizerFactory.Create(name, resumed, 0.01, 1e-3))
        {
            second.Load(dir.File("optimizer.bin"));
            for (int s = 2; s < 4; s++)
            {
                using (no_grad()) for (int i = 0; i < resumed.Count; i++) resumed[i].grad!.copy_(Gradient(resumed[i], i, s));
                second.SetLearningRate(0.01 * (s + 1));
                second.Step();
            }
        }
        Assert.Equal(0, MaxRelativeGap(resumed, straight));
    }

    [Fact]
    public void Adam_files_keep_TorchSharps_format_both_ways()
    {
        using var dir = new TempDir();
        var ps = Parameters();
        using (var adam = optim.Adam(ps, 0.01))
        {
            for (int i = 0; i < ps.Count; i++) ps[i].grad = Gradient(ps[i], i, 0);
            adam.step();
            adam.save_state_dict(dir.File("torchsharp.bin"));
        }
        var qs = Parameters();
        using var flat = new FlatAdam(new FlatParameters(qs), 0.01, 0);
        flat.Load(dir.File("torchsharp.bin"));
        flat.Save(dir.File("flat.bin"));
        Assert.Equal(File.ReadAllBytes(dir.File("torchsharp.bin")), File.ReadAllBytes(dir.File("flat.bin")));
    }

    [Fact]
    public void Parameters_and_gradients_are_views_of_the_flat_buffers()
    {
        var ps = Parameters();
        using var flat = new FlatParameters(ps);
        flat.Data.fill_(3);
        flat.Grad.fill_(5);
        Assert.All(ps, p => Assert.Equal(3f, p.max().item<float>()));
        Assert.All(ps, p => Assert.Equal(5f, p.grad!.min().item<float>()));
        // backward accumulates into the views in place
        flat.ZeroGrad();
        var loss = ps.Select(p => p.sum()).Aggregate((a, b) => a + b);
        loss.backward();
        Assert.Equal(flat.Grad.numel(), flat.Grad.sum().item<float>());
    }

    [Fact]
    public void A_loaded_Adam_state_keeps_the_configured_weight_decay()
    {
        using var dir = new TempDir();
        var ps = Parameters();
        using (var first = new FlatAdam(new FlatParameters(ps), 0.01, weightDecay: 0.1))
        {
            using (no_grad()) for (int i = 0; i < ps.Count; i++) ps[i].grad!.copy_(Gradient(ps[i], i, 0));
            first.Step();
            first.Save(dir.File("wd0.1.bin"));
        }
        List<Tensor> Continue(double weightDecay)
        {
            var qs = Parameters();
            using var adam = new FlatAdam(new FlatParameters(qs), 0.01, weightDecay);
            adam.Load(dir.File("wd0.1.bin"));
            using (no_grad()) for (int i = 0; i < qs.Count; i++) qs[i].grad!.copy_(Gradient(qs[i], i, 1));
            adam.Step();
            adam.Save(dir.File($"continued-{weightDecay}.bin"));
            return qs.Select(q => q.detach().clone()).ToList();
        }
        var none = Continue(0);
        var strong = Continue(5);
        Assert.True(MaxRelativeGap(none, strong) > 1e-4, "the step used the file's weight decay instead of the configured one");
        // the file written after the resume carries the configured weight decay, not the one it was loaded from
        using var reader = optim.Adam(Parameters(), 0.01, weight_decay: 0.3);
        reader.load_state_dict(dir.File("continued-0.bin"));
        Assert.Equal(0, ((TorchSharp.Modules.Adam.Options)((TorchSharp.Modules.ParamGroup)reader.ParamGroups.First()).Options).weight_decay);
    }

    [Fact]
    public void The_gradient_sum_is_finite_exactly_when_every_gradient_is()
    {
        var ps = Parameters();
        using var flat = new FlatParameters(ps);
        using (no_grad()) for (int i = 0; i < ps.Count; i++) ps[i].grad!.fill_(0.5);
        using (var sum = Finiteness.GradientSum(flat)) Assert.Equal(0.5 * ps.Sum(p => p.numel()), sum.item<double>(), 9);
        using (no_grad()) ps[2].grad![3, 1] = float.NaN;
        using (var sum = Finiteness.GradientSum(flat)) Assert.True(double.IsNaN(sum.item<double>()));
        using (no_grad()) ps[2].grad![3, 1] = float.PositiveInfinity;
        using (var sum = Finiteness.GradientSum(flat)) Assert.False(double.IsFinite(sum.item<double>()));
    }

    /// <summary>Three ranks whose all-reduce sums three copies: each rank's gradient counted thrice.</summary>
    private sealed class ThreeEqualRanks : SelfSup.Distributed.ProcessGroup
    {
        public override int Rank => 0;
        public override int Size => 3;
        public override void AllReduceSum(Tensor tensor) => tensor.mul_(3);
        public override void Broadcast(Tensor tensor, int root = 0) { }
        public override double Max(double value) => value;
        public override void Abort(string message, int exitCode) => throw new SelfSupError(message);
    }

    [Fact]
    public void Averaging_a_flat_gradient_over_ranks_is_one_all_reduce_divided_by_the_rank_count()
    {
        var ps = Parameters();
        using var flat = new FlatParameters(ps);
        using (no_grad()) for (int i = 0; i < ps.Count; i++) ps[i].grad!.copy_(Gradient(ps[i], i, 0));
        var before = ps.Select(p => p.grad!.clone()).ToList();
        SelfSup.Distributed.GradientAverager.Average(flat.Grad, new ThreeEqualRanks());
        Assert.True(MaxRelativeGap(ps.Select(p => p.grad!), before) < 1e-7);   // (3·g)/3 = g, seen through every parameter's view
    }
}
