using SelfSup.Data;
using SelfSup.Evaluation;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Evaluation;

/// <summary>Periodic evaluation and <c>selfsup spectrum</c> take their spectra on the same held-out images.</summary>
public sealed class SpectrumSampleTests
{
    [Fact]
    public void PeriodicEvaluationAndRunSpectrumUseTheSameHeldOutImages()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 64, testCount: 40);
        var config = new TrainConfig
        {
            DataDir = dir.File("data"), Width = 8, ProjDim = 16, BatchSize = 16, Epochs = 1, Threads = 1, Seed = 1,
            EvalEvery = 1, EvalProbeEpochs = 1,
        };
        var run = new RunDirectory(dir.File("run"));
        var result = new Pretrainer(config, run).Run(resume: false);
        using var encoder = result.Encoder;

        // 12 of the 40 test images: the seeded sample, not the first 12
        const int images = 12;
        Assert.NotEqual(Enumerable.Range(0, images), SeededSample.ForEvaluation(40, images, config.Seed));
        using var evaluator = new PeriodicEvaluator(config, run, spectrumImages: images);
        var periodic = evaluator.Evaluate(encoder, result.State);
        var standalone = RunSpectrum.Compute(run, images: images);

        Assert.Equal(images, standalone.Images);
        Assert.Equal(periodic.EffectiveRank, standalone.Features.EffectiveRank, 3);
        Assert.Equal(periodic.EmbeddingEffectiveRank, standalone.Embeddings.EffectiveRank, 3);
    }
}
