namespace SelfSup.Interop;

/// <summary>The network an exported file holds: enough to rebuild it in PyTorch or SelfSup.</summary>
/// <param name="Model">resnet18, resnet34 or resnet50 (torchvision's block layout).</param>
/// <param name="Width">Channels of the first stage (64 in torchvision's model; stages have width·1, 2, 4, 8).</param>
/// <param name="InChannels">Image channels conv1 expects.</param>
/// <param name="Stem"><c>cifar</c> (conv1 3×3 stride 1 padding 1, no max-pool) or <c>imagenet</c> (7×7 stride 2 + 3×3 max-pool).</param>
/// <param name="FeatureDim">Length of the pooled feature vector (what <c>fc</c> would read; <c>fc</c> is <c>nn.Identity()</c>).</param>
/// <param name="ProjectorDims">Sizes through the projector, features first: Linear(no bias) → BatchNorm1d → ReLU between consecutive sizes, the last Linear with a bias.</param>
public sealed record ExportArchitecture(string Model, int Width, int InChannels, string Stem, int FeatureDim, int[] ProjectorDims);
