using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Torch;

public static class ScalarTypes
{
    /// <summary>PyTorch's name of the element type (float32, int64, uint8, ...), as error messages and reprs print it.</summary>
    public static string PyTorchName(this torch.ScalarType type) => type switch
    {
        torch.ScalarType.Byte => "uint8",
        torch.ScalarType.Int8 => "int8",
        torch.ScalarType.Int16 => "int16",
        torch.ScalarType.Int32 => "int32",
        torch.ScalarType.Int64 => "int64",
        torch.ScalarType.Float16 => "float16",
        torch.ScalarType.BFloat16 => "bfloat16",
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.Float64 => "float64",
        torch.ScalarType.Bool => "bool",
        _ => type.ToString().ToLowerInvariant(),
    };
}
