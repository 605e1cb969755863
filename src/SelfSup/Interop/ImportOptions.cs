namespace SelfSup.Interop;

/// <summary>
/// What <c>selfsup import</c> is told beyond the file. The architecture is read from the tensors themselves
/// (conv1's shape gives width, input channels and stem; the blocks of layer3 and the presence of conv3 give the
/// depth; the projector's Linear weights its sizes); <see cref="Model"/> and <see cref="Width"/>, when given, must agree.
/// </summary>
public sealed record ImportOptions
{
    /// <summary><c>pt</c> or <c>safetensors</c>; null: from the extension.</summary>
    public string? Format { get; init; }
    public string? Model { get; init; }
    public int? Width { get; init; }
    /// <summary>Drop torchvision's classifier (<c>fc.weight</c>, <c>fc.bias</c>) instead of refusing it.</summary>
    public bool DropClassifier { get; init; }
    /// <summary>Projector to create (randomly initialised, seeded) when the file holds a backbone only.</summary>
    public int ProjDim { get; init; } = 64;
    public int ProjLayers { get; init; } = 2;
    public int? ProjHidden { get; init; }
    /// <summary>Dataset the imported run is probed on; null: the sidecar's, else fashion-mnist.</summary>
    public string? Dataset { get; init; }
    public string? DataDir { get; init; }
}
