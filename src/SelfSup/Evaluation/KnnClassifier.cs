using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Evaluation;

/// <summary>
/// Weighted k-nearest-neighbour readout (Wu et al. 2018, as in solo-learn): cosine similarity s between
/// L2-normalised features; each of the k nearest training images votes for its class with weight
/// exp(s/τ); the class with the largest total wins. Defaults k = 200, τ = 0.1.
/// </summary>
public static class KnnClassifier
{
    public static double Evaluate(Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, int classes,
        int k = 200, double temperature = 0.1, int chunk = 256)
    {
        using var outer = torch.NewDisposeScope();
        var train = Losses.EmbeddingMath.L2Normalise(trainX);
        var test = Losses.EmbeddingMath.L2Normalise(testX);
        int kk = (int)Math.Min(k, train.shape[0]);
        long correct = 0;
        for (long start = 0; start < test.shape[0]; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            long count = Math.Min(chunk, test.shape[0] - start);
            var similarity = test.narrow(0, start, count).matmul(train.T);
            var (values, indices) = similarity.topk(kk, dim: 1);
            var neighbourLabels = trainY.index_select(0, indices.reshape(-1)).reshape(count, kk);
            var weights = (values / temperature).exp();
            var votes = torch.zeros(count, classes, weights.dtype, weights.device).scatter_add_(1, neighbourLabels, weights);
            correct += votes.argmax(1).eq(testY.narrow(0, start, count)).sum().item<long>();
        }
        return 100.0 * correct / test.shape[0];
    }

}
