using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SelfSup.Interop;
using SelfSup.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SelfSup.Tests.Interop;

/// <summary>
/// <c>export --format onnx</c>: ONNX Runtime runs the exported graph of a briefly trained run on batches of 5 and 3
/// images (the batch axis is dynamic) and gives SelfSup's eval-mode features (and, for <c>--what encoder</c>, the
/// projector's embeddings) within 10⁻⁴ relative to their largest magnitude; ResNet-18 and ResNet-50 (bottlenecks),
/// CIFAR and ImageNet stems.
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData("resnet18", false, 8)]
    [InlineData("resnet50", false, 8)]
    [InlineData("resnet18", true, 8)]
    public void Onnx_runtime_reproduces_features_and_embeddings_at_any_batch_size(string model, bool imagenetStem, int width)
    {
        using var trained = new TinyTrainedRun(c => c with { Model = model, ImagenetStem = imagenetStem, Width = width });
        using var dir = new TempDir();
        string backbone = dir.File("backbone.onnx"), encoder = dir.File("encoder.onnx");
        WeightExport.Export(trained.Run, backbone, null, "backbone");
        WeightExport.Export(trained.Run, encoder, "onnx", "encoder");

        using var loaded = RunEncoder.Load(trained.Run);
        var card = ExportCard.Read(ExportCard.PathFor(backbone));
        Assert.Equal("onnx", card.TensorFormat);
        foreach (int batch in new[] { 5, 3 })
        {
            using var scope = torch.NewDisposeScope();
            var x = NormalisedImages(batch, card);
            using var noGrad = torch.no_grad();
            var features = loaded.Encoder.Features(x);
            var embeddings = loaded.Encoder.Project(features);

            string label = $"{model} width {width}, {(imagenetStem ? "imagenet" : "cifar")} stem, batch {batch}";
            var onlyFeatures = RunOnnx(backbone, x, "features");
            AssertClose(features, onlyFeatures["features"], $"{label}, backbone: features");
            var both = RunOnnx(encoder, x, "features", "embeddings");
            AssertClose(features, both["features"], $"{label}, encoder: features");
            AssertClose(embeddings, both["embeddings"], $"{label}, encoder: embeddings");
        }
    }

    [Fact]
    public void The_sidecar_of_an_onnx_export_names_the_graph_and_the_normalisation()
    {
        using var trained = new TinyTrainedRun();
        using var dir = new TempDir();
        WeightExport.Export(trained.Run, dir.File("m.onnx"), null, "encoder");
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("m.onnx.json")));
        var root = json.RootElement;
        Assert.Equal("onnx", root.GetProperty("tensor_format").GetString());
        Assert.Equal("m.onnx", root.GetProperty("weights").GetString());
        Assert.Equal(1, root.GetProperty("normalize").GetProperty("mean").GetArrayLength());
        Assert.Contains("embeddings", root.GetProperty("naming").GetString());
    }

    [Fact]
    public void An_unknown_part_or_format_and_importing_an_onnx_file_are_refused_with_the_fix()
    {
        using var trained = new TinyTrainedRun();
        using var dir = new TempDir();
        var part = Assert.Throws<SelfSupError>(() => WeightExport.Export(trained.Run, dir.File("m.onnx"), null, "projector"));
        Assert.Contains("`what`", part.Message);
        var format = Assert.Throws<SelfSupError>(() => WeightExport.Export(trained.Run, dir.File("m.bin2"), null, "backbone"));
        Assert.Contains(".onnx", format.Message);
        Assert.False(File.Exists(dir.File("m.onnx")));
        WeightExport.Export(trained.Run, dir.File("m.onnx"), null, "backbone");
        var import = Assert.Throws<SelfSupError>(() => WeightImport.Import(dir.File("m.onnx"), dir.File("imported"), new ImportOptions()));
        Assert.Contains(".pt", import.Message);
    }

    /// <summary>Images in [0, 1] normalised with the sidecar's mean and std, as a user of the ONNX file would feed them.</summary>
    private static Tensor NormalisedImages(int batch, ExportCard card)
    {
        var generator = new Generator((ulong)batch);
        var images = torch.rand([batch, card.InputSize[0], card.InputSize[1], card.InputSize[2]], generator: generator);
        var mean = torch.tensor(card.Normalize.Mean).view(1, -1, 1, 1);
        var std = torch.tensor(card.Normalize.Std).view(1, -1, 1, 1);
        return (images - mean) / std;
    }

    private static Dictionary<string, Tensor> RunOnnx(string path, Tensor x, params string[] outputs)
    {
        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(x.contiguous().data<float>().ToArray(), x.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["input"], [input], outputs);
        var tensors = new Dictionary<string, Tensor>();
        for (int i = 0; i < outputs.Length; i++)
        {
            long[] shape = results[i].GetTensorTypeAndShape().Shape;
            tensors[outputs[i]] = torch.tensor(results[i].GetTensorDataAsSpan<float>().ToArray()).reshape(shape);
        }
        return tensors;
    }

    /// <summary>max |onnx − selfsup| / max |selfsup| ≤ <see cref="Tolerance"/>, with the shapes equal.</summary>
    private void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double difference = (actual - expected).abs().max().item<float>() / Math.Max(1e-12, expected.abs().max().item<float>());
        output.WriteLine($"{what}: max relative difference {difference:E2}");
        Assert.True(difference <= Tolerance, $"{what}: max relative difference {difference:E2} > {Tolerance}");
    }
}
