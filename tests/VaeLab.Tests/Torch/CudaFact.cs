using static TorchSharp.torch;

namespace VaeLab.Tests.Torch;

/// <summary>A test that needs a CUDA device; it is skipped, with the reason, where libtorch has none.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "CUDA is not available to this libtorch (a CPU build, or no GPU)";
    }
}
