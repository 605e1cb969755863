using Onnx;
using SelfSup.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Interop;

/// <summary>
/// An <see cref="Encoder"/> as an ONNX inference graph (opset 13): input <c>input</c>, batch × C × H × W float32 images
/// already normalised as the sidecar says; output <c>features</c> (batch × F, the pooled backbone features) and, for
/// <c>encoder</c>, <c>embeddings</c> (batch × d, the projector's). The batch axis is dynamic.
/// <para>
/// BatchNorm is in eval mode and folded away: with s = γ / √(running_var + ε) (ε = 10⁻⁵, the models' BatchNorm default),
/// a convolution followed by BatchNorm becomes one Conv with weight W·s (per output channel) and bias β − running_mean·s,
/// and the projector's Linear (no bias) followed by BatchNorm1d one Gemm the same way. The folding is computed in float64,
/// then stored as float32. The graph: Conv → Relu (→ MaxPool, ImageNet stem), the residual blocks (Conv/Relu, Add of the
/// shortcut — the identity or the folded 1×1 downsample Conv — then Relu), GlobalAveragePool → Flatten, then Gemm/Relu
/// through the projector.
/// </para>
/// </summary>
public static class OnnxExport
{
    private const double BatchNormEps = 1e-5;

    /// <summary>Whether an export to <paramref name="path"/> with <paramref name="format"/> (or none) is an ONNX one.</summary>
    public static bool IsOnnx(string path, string? format) =>
        format is null ? Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase) : format == "onnx";

    /// <summary>Writes <paramref name="what"/> (backbone, or encoder = backbone + projector) of <paramref name="encoder"/> to <paramref name="path"/>.</summary>
    /// <param name="encoder">The trained encoder.</param>
    /// <param name="what">"backbone" or "encoder".</param>
    /// <param name="inputSize">C, H, W of the images (the run's crop).</param>
    /// <param name="path">The .onnx file to write.</param>
    public static void Write(Encoder encoder, string what, int[] inputSize, string path)
    {
        var config = encoder.Config;
        if (inputSize[0] != config.InChannels)
            throw new SelfSupError($"the run's images have {inputSize[0]} channels but its encoder expects {config.InChannels}; the run's config.json does not match its checkpoint — export .pt instead and check the run");
        var state = new Dictionary<string, Tensor>(encoder.state_dict(), StringComparer.Ordinal);
        var g = new OnnxGraphBuilder();
        using var scope = torch.NewDisposeScope();

        string h = ConvBn(g, state, "backbone.conv1", "backbone.bn1", "input", config.ImagenetStem ? 2 : 1);
        h = g.Relu("relu", h);
        if (config.ImagenetStem) h = g.MaxPool("maxpool", h, 3, 2, 1);
        for (int stage = 1; stage <= 4; stage++)
            for (int i = 0; state.ContainsKey($"backbone.layer{stage}.{i}.conv1.weight"); i++)
                h = Block(g, state, $"backbone.layer{stage}.{i}", h, stride: stage > 1 && i == 0 ? 2 : 1);
        string features = g.Output("features", g.GlobalAveragePool("avgpool", h));

        var outputs = new List<(string, long)> { ("features", encoder.FeatureDim) };
        if (what == "encoder")
        {
            string z = Projector(g, state, features, out long embeddingDim);
            outputs.Add((g.Output("embeddings", z), embeddingDim));
        }
        var model = g.Model("input", [.. inputSize.Select(s => (long)s)], outputs,
            $"SelfSup {config.Model} width {config.Width} ({(config.ImagenetStem ? "imagenet" : "cifar")} stem), {what}; BatchNorm folded into Conv/Gemm");
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp";
        model.WriteToFile(temporary);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>A residual block (basic when it has no conv3, else bottleneck) with its prefix, e.g. <c>backbone.layer2.0</c>.</summary>
    private static string Block(OnnxGraphBuilder g, Dictionary<string, Tensor> state, string prefix, string x, int stride)
    {
        string name = prefix["backbone.".Length..];
        bool bottleneck = state.ContainsKey($"{prefix}.conv3.weight");
        string y = g.Relu($"{name}.relu1", ConvBn(g, state, $"{prefix}.conv1", $"{prefix}.bn1", x, bottleneck ? 1 : stride));
        y = ConvBn(g, state, $"{prefix}.conv2", $"{prefix}.bn2", y, bottleneck ? stride : 1);
        if (bottleneck) y = ConvBn(g, state, $"{prefix}.conv3", $"{prefix}.bn3", g.Relu($"{name}.relu2", y), 1);
        string shortcut = state.ContainsKey($"{prefix}.downsample.0.weight")
            ? ConvBn(g, state, $"{prefix}.downsample.0", $"{prefix}.downsample.1", x, stride)
            : x;
        return g.Relu($"{name}.relu", g.Add($"{name}.add", y, shortcut));
    }

    /// <summary>Conv (bias-free, square kernel k, padding k/2) followed by eval-mode BatchNorm, folded into one Conv.</summary>
    private static string ConvBn(OnnxGraphBuilder g, Dictionary<string, Tensor> state, string conv, string bn, string x, long stride)
    {
        var weight = Get(state, conv + ".weight");
        var (scale, bias) = Fold(state, bn);
        var folded = weight.to(ScalarType.Float64) * scale.view(-1, 1, 1, 1);
        string name = conv["backbone.".Length..];
        return g.Conv(name, x, g.Initializer(name + ".weight", folded), g.Initializer(name + ".bias", bias), stride, weight.shape[2] / 2);
    }

    /// <summary>The projector: Linear(no bias) → BatchNorm1d (folded into one Gemm) → ReLU, …, then the last Linear with its bias.</summary>
    private static string Projector(OnnxGraphBuilder g, Dictionary<string, Tensor> state, string features, out long embeddingDim)
    {
        const string prefix = "projector.layers.";
        string h = features;
        int index = 0;
        while (state.ContainsKey($"{prefix}{index + 1}.running_mean"))
        {
            var (scale, bias) = Fold(state, $"{prefix}{index + 1}");
            var weight = Get(state, $"{prefix}{index}.weight").to(ScalarType.Float64) * scale.view(-1, 1);
            string name = $"projector.{index}";
            h = g.Relu($"projector.{index + 2}", g.Linear(name, h, g.Initializer(name + ".weight", weight), g.Initializer(name + ".bias", bias)));
            index += 3;
        }
        var last = Get(state, $"{prefix}{index}.weight");
        embeddingDim = last.shape[0];
        string lastName = $"projector.{index}";
        return g.Linear(lastName, h, g.Initializer(lastName + ".weight", last), g.Initializer(lastName + ".bias", Get(state, $"{prefix}{index}.bias")));
    }

    /// <summary>Eval-mode BatchNorm as y = s·x + b: s = γ / √(running_var + ε), b = β − running_mean·s (float64).</summary>
    private static (Tensor Scale, Tensor Bias) Fold(Dictionary<string, Tensor> state, string bn)
    {
        var gamma = Get(state, bn + ".weight").to(ScalarType.Float64);
        var scale = gamma / (Get(state, bn + ".running_var").to(ScalarType.Float64) + BatchNormEps).sqrt();
        var bias = Get(state, bn + ".bias").to(ScalarType.Float64) - Get(state, bn + ".running_mean").to(ScalarType.Float64) * scale;
        return (scale, bias);
    }

    private static Tensor Get(Dictionary<string, Tensor> state, string name) =>
        state.TryGetValue(name, out var tensor) ? tensor
            : throw new SelfSupError($"the encoder has no tensor '{name}', which the ONNX export needs; export this checkpoint as .pt instead (`format` pt)");
}
