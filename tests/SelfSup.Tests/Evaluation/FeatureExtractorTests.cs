using SelfSup.Data;
using SelfSup.Evaluation;
using SelfSup.Models;
using SelfSup.Views;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.Evaluation;

/// <summary>Frozen features: eval mode (so the batch does not matter), the encoder's mode restored, view averaging that changes them.</summary>
public sealed class FeatureExtractorTests
{
    private static ImageDataset Data() => new("synthetic", "train",
        randint(0, 256, [20, 1, 28, 28], dtype: ScalarType.Byte, generator: new Generator(2)), Enumerable.Range(0, 20).Select(i => i % 10).ToArray(), 10);

    private static Encoder TrainedALittle()
    {
        manual_seed(4);
        var encoder = new Encoder(new EncoderConfig("resnet18", 1, 8, false, 16));
        encoder.train();
        using (no_grad()) encoder.forward(randn(32, 1, 28, 28, generator: new Generator(5))).Dispose();   // running statistics off their initial values
        return encoder;
    }

    [Fact]
    public void Features_do_not_depend_on_the_batch_they_are_computed_in_and_the_mode_comes_back()
    {
        using var data = Data();
        using var encoder = TrainedALittle();
        using var whole = FeatureExtractor.Extract(encoder, data, AugmentationPreset.FashionMnist, CPU, batchSize: 20);
        using var pieces = FeatureExtractor.Extract(encoder, data, AugmentationPreset.FashionMnist, CPU, batchSize: 7);
        Assert.Equal([20L, encoder.FeatureDim], whole.shape);
        Assert.True(whole.allclose(pieces, rtol: 1e-5, atol: 1e-6), "features changed with the batch size: BatchNorm ran in training mode");
        Assert.True(encoder.training, "the encoder was left in eval mode");
    }

    [Fact]
    public void Averaging_over_views_changes_the_features_reproducibly_and_bad_counts_are_refused()
    {
        using var data = Data();
        using var encoder = TrainedALittle();
        using var clean = FeatureExtractor.Extract(encoder, data, AugmentationPreset.FashionMnist, CPU);
        using var averaged = FeatureExtractor.Extract(encoder, data, AugmentationPreset.FashionMnist, CPU, averageViews: 4, seed: 3);
        using var again = FeatureExtractor.Extract(encoder, data, AugmentationPreset.FashionMnist, CPU, averageViews: 4, seed: 3);
        Assert.False(clean.allclose(averaged, rtol: 1e-3, atol: 1e-4), "averaging over augmented views left the features as the clean ones");
        Assert.True(averaged.equal(again).all().item<bool>(), "the same seed drew other views");
        Assert.Contains("`average_views` 0", Assert.Throws<SelfSupError>(() => FeatureExtractor.Extract(encoder, data, AugmentationPreset.FashionMnist, CPU, averageViews: 0)).Message);
    }
}
