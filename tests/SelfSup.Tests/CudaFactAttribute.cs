using TorchSharp;
using Xunit;

namespace SelfSup.Tests;

/// <summary>
/// A test of the CUDA category (<c>dotnet test --filter Category=CUDA</c>): it runs where libtorch sees a GPU and skips
/// itself elsewhere (CI's CPU machines). On a lent GPU machine without the .NET SDK the same checks run through
/// <c>selfsup doctor --device cuda</c>, which these tests call too.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available()) Skip = "no CUDA device (this libtorch sees none); runs on a GPU machine";
    }
}
