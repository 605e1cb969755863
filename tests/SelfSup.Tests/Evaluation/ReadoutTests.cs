using SelfSup.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Evaluation;

public sealed class ReadoutTests
{
    /// <summary>Gaussian clusters: class k centred at 3·e_k in 16 dims.</summary>
    private static (Tensor X, Tensor Y) Clusters(int n, int classes, int seed)
    {
        var g = new torch.Generator((ulong)seed);
        var y = torch.randint(0, classes, [n], generator: g);
        var x = torch.randn([n, 16], generator: g) + 3 * functional_one_hot(y, 16);
        return (x, y);
    }

    private static Tensor functional_one_hot(Tensor y, int dims) => torch.nn.functional.one_hot(y, dims).to(torch.float32);

    [Fact]
    public void LinearProbeSeparatesClusters()
    {
        using var scope = torch.NewDisposeScope();
        var (xTrain, yTrain) = Clusters(2000, 4, 1);
        var (xTest, yTest) = Clusters(200, 4, 2);
        double top1 = LinearProbe.TrainAndTest(xTrain, yTrain, xTest, yTest, 4, new ProbeSettings(Epochs: 100));
        Assert.InRange(top1, 90, 100);
        var (noise, _) = Clusters(600, 4, 3);
        double chance = LinearProbe.TrainAndTest(torch.randn(2000, 16), yTrain, torch.randn(200, 16), yTest, 4, new ProbeSettings(Epochs: 100));
        Assert.InRange(chance, 0, 50);
    }

    [Fact]
    public void KnnSeparatesClusters()
    {
        using var scope = torch.NewDisposeScope();
        var (xTrain, yTrain) = Clusters(2000, 4, 1);
        var (xTest, yTest) = Clusters(200, 4, 2);
        Assert.InRange(KnnClassifier.Evaluate(xTrain, yTrain, xTest, yTest, 4, k: 20), 90, 100);
    }

    [Fact]
    public void SmoothedCrossEntropyMatchesItsFormula()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(new float[] { 2, 0, -1, 0.5f, 0.5f, 3 }).reshape(2, 3);
        var labels = torch.tensor(new long[] { 0, 2 });
        double eps = 0.1;
        double expected = 0;
        var l = logits.data<float>().ToArray();
        for (int i = 0; i < 2; i++)
        {
            var row = l.Skip(3 * i).Take(3).Select(v => (double)v).ToArray();
            double lse = Math.Log(row.Sum(Math.Exp));
            var logp = row.Select(v => v - lse).ToArray();
            expected += -(1 - eps) * logp[i == 0 ? 0 : 2] - eps * logp.Average();
        }
        expected /= 2;
        Assert.Equal(expected, LinearProbe.SmoothedCrossEntropy(logits, labels, eps).item<float>(), 5);
    }
}
