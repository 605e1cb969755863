namespace SelfSup.Models;

/// <summary>What an encoder is built from; saved with every run so checkpoints can be rebuilt.</summary>
public sealed record EncoderConfig(
    string Model = "resnet18",
    int InChannels = 1,
    int Width = 16,
    bool ImagenetStem = false,
    int ProjDim = 64,
    int ProjLayers = 2,
    int? ProjHidden = null);
