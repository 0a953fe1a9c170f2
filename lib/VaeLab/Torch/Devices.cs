using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Torch;

/// <summary>A batch whose tensors move to a device together, as <see cref="Devices.move"/> (and so the Trainer) moves it.</summary>
public interface IBatch
{
    /// <summary>The batch with every tensor on <paramref name="device"/>; what is there already stays where it is, uncopied.</summary>
    IBatch to(Device device);
}

/// <summary>Where models and batches compute: the notebooks' <c>device</c> parameter, and batches moved to a model's device.</summary>
public static partial class Devices
{
    /// <summary>
    /// The device that a <c>device</c> parameter names, as PyTorch spells it: "cpu", "cuda" (the current GPU) or "cuda:N".
    /// CUDA is checked here, so that a run asking for it where libtorch has none (TorchSharp's CPU package, or no GPU)
    /// stops before it loads data or builds a model, saying how to get it.
    /// </summary>
    public static Device parse(string device)
    {
        var match = DeviceName().Match(device);
        if (!match.Success)
            throw new ArgumentException($"device = \"{device}\" names no device: use \"cpu\", \"cuda\" or \"cuda:N\" (N the index of the GPU)", nameof(device));
        if (match.Groups["cpu"].Success) return CPU;
        if (!cuda.is_available())
            throw new ArgumentException($"device = \"{device}\", but this libtorch has no CUDA (TorchSharp's CPU package, or no GPU): " +
                "build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU (README, \"Using a GPU\"), or set device = \"cpu\"", nameof(device));
        var count = cuda.device_count();
        if (match.Groups["index"].Success && !(int.TryParse(match.Groups["index"].Value, out var index) && index < count))
            throw new ArgumentException($"device = \"{device}\", but this machine has {count} GPU(s): cuda:0 to cuda:{count - 1}", nameof(device));
        return torch.device(device);
    }

    /// <summary>
    /// A batch on <paramref name="device"/>: a tensor, an <see cref="IBatch"/>, or a tuple of them (nested tuples too).
    /// Other values, such as the indices or lengths a batch carries in arrays, stay as they are.
    /// </summary>
    public static T move<T>(T batch, Device device) => (T)Move(batch, device)!;

    static object? Move(object? value, Device device) => value switch
    {
        Tensor tensor => tensor.to(device),
        IBatch batch => batch.to(device),
        // A ValueTuple's fields, Item1 to Item7 then Rest (a tuple again), sort by name into its constructor's order.
        _ when value?.GetType() is { IsValueType: true, Namespace: "System" } type && type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal) =>
            Activator.CreateInstance(type, [.. type.GetFields().OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => Move(f.GetValue(value), device))]),
        _ => value,
    };

    [GeneratedRegex("^(?:(?<cpu>cpu)|cuda(?::(?<index>[0-9]+))?)$")]
    private static partial Regex DeviceName();
}
