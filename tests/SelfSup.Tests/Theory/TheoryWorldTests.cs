using SelfSup.Theory;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Theory;

/// <summary>
/// The theory check's default recipe on worlds it was not tuned on (<see cref="TheoryWorlds"/>), scored against the top
/// eigenvectors of PᵀP computed here, from P, with their own alignment: the code under test only trains.
/// </summary>
public sealed class TheoryWorldTests
{
    /// <summary>The top <paramref name="d"/> non-constant eigenvectors of PᵀP (P doubly stochastic: the marginal is uniform).</summary>
    private static Tensor TopEigenvectors(double[,] p, int d)
    {
        using var t = tensor(p, dtype: float64);
        var (_, vectors) = linalg.eigh(t.t().matmul(t));   // ascending; the last is the constant
        long n = vectors.shape[1];
        return vectors.narrow(1, n - 1 - d, d).contiguous();
    }

    /// <summary>(1/d)·‖Qᵀ U‖²_F with Q an orthonormal basis (QR) of the centred embeddings.</summary>
    private static double Alignment(Tensor embeddings, Tensor u)
    {
        var z = embeddings.to(float64);
        var (q, _) = linalg.qr(z - z.mean([0], keepdim: true));
        return q.t().matmul(u).square().sum().item<double>() / u.shape[1];
    }

    public static TheoryData<string> Worlds => ["unequal clusters", "ring of six clusters", "3×3 grid of clusters", "five chorded rings"];

    private static TheoryWorlds.World Make(string name) => name switch
    {
        "unequal clusters" => TheoryWorlds.UnequalClusters(),
        "ring of six clusters" => TheoryWorlds.RingOfClusters(),
        "five chorded rings" => TheoryWorlds.ChordedRings(),
        _ => TheoryWorlds.GridOfClusters(),
    };

    [Theory]
    [MemberData(nameof(Worlds))]
    public void The_default_recipe_finds_the_top_eigenvectors_of_a_world_it_never_saw(string name)
    {
        var w = Make(name);
        var world = new SyntheticWorld(w.Transition, w.Render, 0.01, w.Name);
        using var kernel = AugmentationKernel.FromTransition(world.Transition);
        var settings = new TheoryRunSettings(Views: 2, ProjDim: w.Dim, Beta: 4.0 / w.Dim, BetaRule: "auto", EvalEvery: TheoryRunSettings.DefaultSteps, EmpiricalKernel: false);
        var result = TheoryRun.Run(world, kernel, settings);
        using var u = TopEigenvectors(w.Transition, w.Dim);
        using (result.Embeddings)
        {
            double random = Alignment(randn(result.Embeddings.shape, generator: new Generator(1)), u);
            double learned = Alignment(result.Embeddings, u);
            Assert.True(random < 0.1, $"{name}: random embeddings align {random}");
            Assert.True(learned >= 0.8, $"{name}: the default recipe aligns {learned:F3} with the top {w.Dim} eigenvectors");
        }
    }

    [Fact]
    public void Feature_alignment_can_fail_when_the_encoder_is_wider_than_the_world()
    {
        // H = 256 ≥ n = 220: every function of the 220 images lies in the features' span, so a span-based score is 1 for
        // any encoder; the principal-subspace score of an untrained one is not
        var w = TheoryWorlds.UnequalClusters();
        var world = new SyntheticWorld(w.Transition, w.Render, 0.01, w.Name);
        using var kernel = AugmentationKernel.FromTransition(world.Transition);
        var result = TheoryRun.Run(world, kernel, new TheoryRunSettings(Views: 2, ProjDim: w.Dim, Beta: 4.0 / w.Dim, BetaRule: "auto", Steps: 1, Hidden: 256, EmpiricalKernel: false));
        result.Embeddings.Dispose();
        var untrained = result.Evaluations[0];
        Assert.True(untrained.FeatureAlignment < 0.5, $"an untrained encoder's features scored {untrained.FeatureAlignment}");
        using var features = randn(220, 256, generator: new Generator(2));
        Assert.Equal(1.0, kernel.Align(features, w.Dim), 6);                   // the span-based score cannot fail here
        Assert.True(kernel.AlignPrincipal(features, w.Dim) < 0.5);
        using var planted = TopEigenvectors(w.Transition, w.Dim).to(float32);
        using var withPlanted = cat([planted.mul(10), features.narrow(1, 0, 253).mul(0.01)], 1);
        Assert.True(kernel.AlignPrincipal(withPlanted, w.Dim) > 0.99);        // and it finds eigenvectors that dominate the features
    }
}
