using System.Text.Json;
using SelfSup.Training;

namespace SelfSup.Interop;

/// <summary>
/// The sidecar <c>FILE.json</c> written beside exported weights: what the tensors are (<see cref="What"/>: backbone or
/// encoder = backbone + projector), the architecture, the input the network was trained on (size C×S×S and the
/// normalisation of the run's augmentation preset), which checkpoint they come from, and the run's training config.
/// <c>selfsup import</c> reads it when present to restore the run's config.
/// </summary>
public sealed record ExportCard
{
    public string Format { get; init; } = "selfsup-weights";
    public int Version { get; init; } = 1;
    /// <summary>File name of the weights (beside this file).</summary>
    public required string Weights { get; init; }
    /// <summary><c>pt</c>, <c>safetensors</c> or <c>onnx</c> (an inference graph with BatchNorm folded, <see cref="OnnxExport"/>).</summary>
    public required string TensorFormat { get; init; }
    /// <summary><c>backbone</c> or <c>encoder</c>.</summary>
    public required string What { get; init; }
    /// <summary>Tensor names follow torchvision's ResNet (and an nn.Sequential <c>projector</c>); for ONNX, the graph's input and output names.</summary>
    public string Naming { get; init; } = "torchvision";
    public required ExportArchitecture Architecture { get; init; }
    /// <summary>C, H, W of the images the network was trained on.</summary>
    public required int[] InputSize { get; init; }
    public required ExportNormalize Normalize { get; init; }
    /// <summary>The checkpoint folder the weights come from, relative to the run; its step.</summary>
    public string? Checkpoint { get; init; }
    public long Step { get; init; }
    public TrainConfig? TrainConfig { get; init; }

    /// <summary>Where the sidecar of <paramref name="weightsPath"/> lives: <c>FILE.json</c>.</summary>
    public static string PathFor(string weightsPath) => weightsPath + ".json";

    public string ToJson() => JsonSerializer.Serialize(this, Training.TrainConfig.Json);

    /// <summary>The sidecar at <paramref name="path"/>.</summary>
    /// <exception cref="SelfSupError">It is not valid JSON of an export card.</exception>
    public static ExportCard Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ExportCard>(File.ReadAllText(path), Training.TrainConfig.Json)
                ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw new SelfSupError($"the sidecar '{path}' is not a valid export description ({e.Message}); fix or delete it (import then infers the architecture from the tensors)");
        }
    }
}
