namespace SelfSup.Interop;

/// <summary>
/// The names exported weights carry, and how they map to an <see cref="Models.Encoder"/>'s own state-dict names.
/// The backbone's names are torchvision's ResNet names with the <c>backbone.</c> prefix dropped (<c>conv1.weight</c>,
/// <c>bn1.running_mean</c>, <c>bn1.num_batches_tracked</c>, <c>layer1.0.conv1.weight</c>,
/// <c>layer2.0.downsample.0.weight</c>, …), so a torchvision ResNet with the CIFAR stem and <c>fc = nn.Identity()</c>
/// loads them with <c>strict=True</c>. The projector's are those of an <c>nn.Sequential</c> named <c>projector</c>
/// (<c>projector.0.weight</c>, <c>projector.1.running_var</c>, <c>projector.3.bias</c>; ReLUs hold no tensors), where
/// the encoder itself says <c>projector.layers.N.…</c>.
/// </summary>
public static class TorchvisionNames
{
    private const string Backbone = "backbone.";
    private const string EncoderProjector = "projector.layers.";
    private const string ExportedProjector = "projector.";

    /// <summary>The exported name of the encoder tensor <paramref name="encoderName"/>, or null when it is not part of <paramref name="what"/> (backbone or encoder).</summary>
    public static string? Exported(string encoderName, string what)
    {
        if (encoderName.StartsWith(Backbone, StringComparison.Ordinal)) return encoderName[Backbone.Length..];
        if (what == "encoder" && encoderName.StartsWith(EncoderProjector, StringComparison.Ordinal))
            return ExportedProjector + encoderName[EncoderProjector.Length..];
        return null;
    }

    /// <summary>The encoder's name for the exported tensor <paramref name="exportedName"/>.</summary>
    public static string EncoderName(string exportedName) =>
        exportedName.StartsWith(ExportedProjector, StringComparison.Ordinal)
            ? EncoderProjector + exportedName[ExportedProjector.Length..]
            : Backbone + exportedName;

    /// <summary>True for the exported name of a projector tensor.</summary>
    public static bool IsProjector(string exportedName) => exportedName.StartsWith(ExportedProjector, StringComparison.Ordinal);
}
