namespace SelfSup.Models;

/// <summary>What an encoder is built from; saved with every run so checkpoints can be rebuilt.</summary>
public sealed record EncoderConfig(
    string Model = "resnet18",
    int InChannels = 1,
    int Width = 16,
    bool ImagenetStem = false,
    int ProjDim = 64,
    int ProjLayers = 2,
    int? ProjHidden = null)
{
    /// <summary>Checks the backbone's and the projector's settings (the rules live with <see cref="ResNet"/> and <see cref="Projector"/>).</summary>
    /// <exception cref="SelfSupError">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ResNet.Check(Model, InChannels, Width);
        Projector.Check(ProjDim, ProjLayers, ProjHidden);
    }
}
