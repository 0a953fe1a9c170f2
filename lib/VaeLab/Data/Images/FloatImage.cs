using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Data.Images;

/// <summary>
/// An image as the transforms and the loader handle it: float32, channels first (C x H x W), in [0, 1] until a
/// Normalize. Managed memory, so that worker threads can build and drop images without touching libtorch.
/// </summary>
public sealed class FloatImage
{
    public FloatImage(int channels, int height, int width, float[]? data = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var length = (long)channels * height * width;
        if (length > Array.MaxLength) throw new ArgumentException($"{channels}x{height}x{width} is too large for one array");
        if (data is not null && data.Length != length)
            throw new ArgumentException($"{channels}x{height}x{width} needs {length} values, got {data.Length}", nameof(data));
        Channels = channels;
        Height = height;
        Width = width;
        Data = data ?? new float[length];
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>The values, plane after plane, each plane row after row.</summary>
    public float[] Data { get; }

    public Span<float> Plane(int channel) => Data.AsSpan(channel * Height * Width, Height * Width);

    public float this[int c, int y, int x]
    {
        get => Data[(c * Height + y) * Width + x];
        set => Data[(c * Height + y) * Width + x] = value;
    }

    /// <summary>Bytes stored channel after channel (CIFAR, IDX), divided by 255 (a division, as ToTensor does, for the same float32 values).</summary>
    public static FloatImage FromBytes(ReadOnlySpan<byte> chw, int channels, int height, int width)
    {
        var image = new FloatImage(channels, height, width);
        if (chw.Length != image.Data.Length)
            throw new ArgumentException($"{channels}x{height}x{width} needs {image.Data.Length} bytes, got {chw.Length}", nameof(chw));
        for (var i = 0; i < chw.Length; i++) image.Data[i] = chw[i] / 255f;
        return image;
    }

    /// <summary>A C x H x W float32 tensor holding a copy of the values.</summary>
    public Tensor ToTensor() => torch.tensor(Data, [Channels, Height, Width]);

    /// <summary>The values of a C x H x W tensor of any floating type.</summary>
    public static FloatImage FromTensor(Tensor chw)
    {
        if (chw.dim() != 3) throw new ArgumentException($"expected a C x H x W tensor, got shape [{string.Join(", ", chw.shape)}]", nameof(chw));
        return new FloatImage((int)chw.shape[0], (int)chw.shape[1], (int)chw.shape[2], chw.to(ScalarType.Float32).data<float>().ToArray());
    }
}
