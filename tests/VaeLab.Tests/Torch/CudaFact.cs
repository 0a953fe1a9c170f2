namespace VaeLab.Tests.Torch;

/// <summary>A test that needs a CUDA device; it is skipped, with the reason, where libtorch has none.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "CUDA is not available to this libtorch (a CPU build, or no GPU)";
    }
}

/// <summary>A test of what happens where CUDA is missing; it is skipped where libtorch has it.</summary>
public sealed class WithoutCudaFactAttribute : FactAttribute
{
    public WithoutCudaFactAttribute()
    {
        if (cuda.is_available()) Skip = "CUDA is available to this libtorch";
    }
}
