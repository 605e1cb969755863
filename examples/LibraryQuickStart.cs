using SelfSup.Data;
using SelfSup.Evaluation;
using SelfSup.Losses;
using SelfSup.Models;
using SelfSup.Views;
using TorchSharp;

namespace SelfSup.Examples;

/// <summary>The README's library example: SelfSup's pieces driven from C#, without the CLI (compiled and run by the tests).</summary>
public static class LibraryQuickStart
{
    /// <summary>Pretrains a small encoder for <paramref name="steps"/> steps on Fashion-MNIST in <paramref name="dataDir"/>; returns the linear-probe top-1 (%).</summary>
    public static double Run(string dataDir, int steps = 100, int batch = 256, int views = 4)
    {
        using var train = DatasetCatalog.Open("fashion-mnist", dataDir, "train");
        using var test = DatasetCatalog.Open("fashion-mnist", dataDir, "test");
        var preset = AugmentationPreset.FashionMnist;
        var sampler = new ViewSampler(preset, views);                                         // M seeded views per image
        torch.manual_seed(0);
        using var encoder = new Encoder(new EncoderConfig("resnet18", InChannels: 1, Width: 16, ProjDim: 64));
        var loss = new MultiViewBarlowTwinsLoss(lambda: OrthogonalityWeight.ForProjector(64));  // β = 4/d
        using var optimizer = torch.optim.Adam(encoder.parameters(), lr: 1e-3);
        var generator = new torch.Generator(0);
        for (int step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var images = train.Images.index_select(0, torch.randint(0, train.Count, [batch], generator: generator));
            var x = sampler.Sample(images, generator);                                        // N×M×C×S×S
            var z = encoder.forward(x.flatten(0, 1)).reshape(batch, views, -1);               // one pass over the N·M views
            optimizer.zero_grad();
            loss.Forward(z).backward();
            optimizer.step();
        }
        using var fTrain = FeatureExtractor.Extract(encoder, train, preset, torch.CPU);       // frozen backbone features
        using var fTest = FeatureExtractor.Extract(encoder, test, preset, torch.CPU);
        using var yTrain = torch.tensor(train.Labels.Select(l => (long)l).ToArray());
        using var yTest = torch.tensor(test.Labels.Select(l => (long)l).ToArray());
        return LinearProbe.TrainAndTest(fTrain, yTrain, fTest, yTest, train.ClassCount, new ProbeSettings(Epochs: 20));
    }
}
