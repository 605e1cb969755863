using static TorchSharp.torch;

namespace SelfSup.Interop;

/// <summary>
/// The ResNet and projector a state dict with torchvision's names describes, read from the tensors' shapes:
/// <c>conv1.weight</c> is width × in-channels × k × k (k = 3: CIFAR stem, 7: ImageNet stem), bottleneck blocks have a
/// <c>conv3</c>, and layer3 has 2 (ResNet-18) or 6 (ResNet-34/50) blocks; the projector's Linear layers are the
/// two-dimensional <c>projector.N.weight</c> tensors.
/// </summary>
public sealed record ImportedArchitecture(string Model, int Width, int InChannels, bool ImagenetStem, int[]? ProjectorLinearOut)
{
    /// <summary>Reads the architecture of <paramref name="tensors"/> (from <paramref name="file"/>, named in errors).</summary>
    /// <exception cref="SelfSupError">The tensors are not a torchvision-named ResNet.</exception>
    public static ImportedArchitecture Of(IReadOnlyDictionary<string, Tensor> tensors, string file)
    {
        if (!tensors.TryGetValue("conv1.weight", out var conv1) || conv1.dim() != 4)
            throw new SelfSupError($"'{file}' has no 4-dimensional 'conv1.weight', so it is not a ResNet state dict with torchvision's names (conv1.weight, bn1.weight, layer1.0.conv1.weight, …); export the backbone's state_dict() (names starting 'module.' or 'backbone.' must have that prefix removed)");
        long k = conv1.shape[2];
        if (k is not (3 or 7))
            throw new SelfSupError($"'{file}': conv1.weight is {k}×{k}; SelfSup's ResNets have the CIFAR stem (3×3) or the ImageNet stem (7×7)");
        bool bottleneck = tensors.ContainsKey("layer1.0.conv3.weight");
        int layer3Blocks = tensors.Keys.Where(n => n.StartsWith("layer3.", StringComparison.Ordinal))
            .Select(n => n.Split('.')[1]).Distinct().Count();
        string model = (bottleneck, layer3Blocks) switch
        {
            (false, 2) => "resnet18",
            (false, 6) => "resnet34",
            (true, 6) => "resnet50",
            _ => throw new SelfSupError($"'{file}' has {layer3Blocks} blocks in layer3 with {(bottleneck ? "bottleneck" : "basic")} blocks, which is none of {string.Join(", ", Models.ResNet.Architectures)}; import a ResNet-18, -34 or -50 state dict"),
        };
        int[]? projector = null;
        var linear = tensors.Where(kv => TorchvisionNames.IsProjector(kv.Key) && kv.Key.EndsWith(".weight", StringComparison.Ordinal) && kv.Value.dim() == 2)
            .Select(kv => (Index: int.TryParse(kv.Key.Split('.')[1], out int i) ? i : -1, Out: (int)kv.Value.shape[0]))
            .OrderBy(l => l.Index).ToList();
        if (linear.Count > 0) projector = linear.Select(l => l.Out).ToArray();
        return new ImportedArchitecture(model, (int)conv1.shape[0], (int)conv1.shape[1], k == 7, projector);
    }
}
