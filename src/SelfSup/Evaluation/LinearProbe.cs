using SelfSup.Native;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelfSup.Evaluation;

/// <summary>
/// The paper's metric: a linear classifier ŷ = W·standardise(f(x)) + b trained on frozen features with
/// label-smoothed cross-entropy
///   L = −(1−ε)·log p_y − (ε/K)·Σ_k log p_k,
/// then top-1 accuracy on the test features. Features are standardised with the training set's
/// per-dimension mean and variance by <see cref="FeatureStandardiser"/> (x' = (x − μ)/√(σ² + ε), a relative
/// ridge ε; dimensions constant on the training set map to 0): a fixed affine map, so still a linear
/// readout of f(x), and one that cannot blow up a dimension the training set never varied.
/// </summary>
public static class LinearProbe
{
    /// <summary>Trains on (trainX, trainY) and returns top-1 accuracy (%) on (testX, testY).</summary>
    public static double TrainAndTest(Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, int classes,
        ProbeSettings settings, Device? device = null, Action<int, int>? onEpoch = null)
    {
        device ??= torch.CPU;
        CheckShapes(trainX, trainY, "train"); CheckShapes(testX, testY, "test");
        using var outer = torch.NewDisposeScope();
        using var standardiser = FeatureStandardiser.Fit(trainX);
        var xTrain = standardiser.Apply(trainX).to(device);
        var xTest = standardiser.Apply(testX).to(device);
        var yTrain = trainY.to(device);

        torch.manual_seed(settings.Seed);
        using var classifier = Linear(trainX.shape[1], classes).to(device);
        using var optimizer = torch.optim.Adam(classifier.parameters(), lr: settings.Lr, weight_decay: settings.WeightDecay);
        using var generator = new torch.Generator((ulong)settings.Seed);
        long n = xTrain.shape[0];
        for (int epoch = 0; epoch < settings.Epochs; epoch++)
        {
            NativeCallGate.SafePoint();
            using var epochScope = torch.NewDisposeScope();
            var order = torch.randperm(n, generator: generator).to(device);
            for (long start = 0; start < n; start += settings.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var idx = order.narrow(0, start, Math.Min(settings.BatchSize, n - start));
                var logits = classifier.forward(xTrain.index_select(0, idx));
                var loss = SmoothedCrossEntropy(logits, yTrain.index_select(0, idx), settings.LabelSmoothing);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
            onEpoch?.Invoke(epoch + 1, settings.Epochs);
        }
        using var _ = torch.no_grad();
        classifier.eval();
        var predicted = classifier.forward(xTest).argmax(1).cpu();
        return 100.0 * predicted.eq(testY).sum().item<long>() / testY.shape[0];
    }

    /// <summary>L = mean over the batch of −(1−ε)·log p_y − (ε/K)·Σ_k log p_k.</summary>
    public static Tensor SmoothedCrossEntropy(Tensor logits, Tensor labels, double epsilon)
    {
        var logp = functional.log_softmax(logits, 1);
        var nll = -logp.gather(1, labels.unsqueeze(1)).squeeze(1);
        var uniform = -logp.mean([1L]);
        return ((1 - epsilon) * nll + epsilon * uniform).mean();
    }

    private static void CheckShapes(Tensor x, Tensor y, string split)
    {
        if (x.dim() != 2 || y.dim() != 1 || x.shape[0] != y.shape[0])
            throw new ArgumentException($"{split} features must be N×F with N labels; got [{string.Join(",", x.shape)}] and [{string.Join(",", y.shape)}]");
    }
}
