using System.Buffers.Binary;

namespace VaeLab.Data.Images;

/// <summary>
/// The samples an image file holds, as decoded: rows top first, the channels of a pixel side by side
/// (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). Up to 8 bits a sample takes a byte holding 0 to 2^BitDepth - 1 (a 1-bit
/// PNG gives 0 and 1, not 0 and 255); 16-bit samples take two bytes, most significant first as PNG stores them.
/// </summary>
public sealed class DecodedImage
{
    public DecodedImage(int width, int height, int channels, int bitDepth, byte[] samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 to 4 channels");
        if (bitDepth is not (1 or 2 or 4 or 8 or 16)) throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "1, 2, 4, 8 or 16 bits");
        var expected = (long)width * height * channels * (bitDepth == 16 ? 2 : 1);
        if (samples.Length != expected)
            throw new ArgumentException($"{width}x{height} pixels of {channels} channel(s) at {bitDepth} bits need {expected} bytes, got {samples.Length}", nameof(samples));
        Width = width;
        Height = height;
        Channels = channels;
        BitDepth = bitDepth;
        Samples = samples;
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public int BitDepth { get; }
    public byte[] Samples { get; }

    /// <summary>The largest sample value, which stands for full intensity (or opacity).</summary>
    public int MaxValue => (1 << BitDepth) - 1;

    /// <summary>The sample of channel <paramref name="c"/> at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public int this[int y, int x, int c]
    {
        get
        {
            var i = ((long)y * Width + x) * Channels + c;
            return BitDepth == 16 ? Samples[2 * i] << 8 | Samples[2 * i + 1] : Samples[i];
        }
    }

    /// <summary>Channels first (C x H x W), each sample divided by <see cref="MaxValue"/>: torchvision's ToTensor.</summary>
    public FloatImage ToFloat()
    {
        var image = new FloatImage(Channels, Height, Width);
        var plane = Width * Height;
        // A table of the divisions keeps ToTensor's exact float32 values at the cost of a lookup per sample.
        var levels = new float[BitDepth == 16 ? 65536 : 256];
        for (var v = 0; v < levels.Length; v++) levels[v] = v / (float)MaxValue;
        for (var c = 0; c < Channels; c++)
        {
            var target = image.Plane(c);
            if (BitDepth == 16)
                for (var p = 0; p < plane; p++) target[p] = levels[BinaryPrimitives.ReadUInt16BigEndian(Samples.AsSpan(2 * (p * Channels + c)))];
            else
                for (var p = 0; p < plane; p++) target[p] = levels[Samples[p * Channels + c]];
        }
        return image;
    }
}
