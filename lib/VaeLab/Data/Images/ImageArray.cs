namespace VaeLab.Data.Images;

/// <summary>
/// Same-sized 8-bit images held in memory, channel after channel (as IDX and CIFAR files store them), with a
/// label each: MNIST, Fashion-MNIST, CIFAR-10 and CIFAR-100 load into one.
/// </summary>
public sealed class ImageArray : IDataset<LabeledImage>
{
    readonly byte[] pixels;

    public ImageArray(byte[] pixels, int channels, int height, int width, long[] labels, IReadOnlyList<string> classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var size = (long)channels * height * width;
        if (pixels.Length != size * labels.Length)
            throw new ArgumentException($"{labels.Length} images of {channels}x{height}x{width} need {size * labels.Length} bytes, got {pixels.Length}", nameof(pixels));
        var stray = Array.FindIndex(labels, l => l < 0 || l >= classes.Count);
        if (stray >= 0) throw new ArgumentException($"label {labels[stray]} of image {stray} is not one of the {classes.Count} classes", nameof(labels));
        this.pixels = pixels;
        Channels = channels;
        Height = height;
        Width = width;
        Labels = labels;
        Classes = classes;
    }

    public int Count => Labels.Length;
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public long[] Labels { get; }
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The bytes of image <paramref name="index"/>, C x H x W.</summary>
    public ReadOnlySpan<byte> Pixels(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var size = Channels * Height * Width;
        return pixels.AsSpan(index * size, size);
    }

    public LabeledImage Get(int index) => new(FloatImage.FromBytes(Pixels(index), Channels, Height, Width), Labels[index]);
}
