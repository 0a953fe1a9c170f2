namespace VaeLab.Data.Images;

/// <summary>
/// The 8-bit samples an image file holds, as decoded: rows top first, the channels of a pixel side by side
/// (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA).
/// </summary>
public sealed class DecodedImage
{
    public DecodedImage(int width, int height, int channels, byte[] samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 to 4 channels");
        if (samples.Length != (long)width * height * channels)
            throw new ArgumentException($"{width}x{height} pixels of {channels} channel(s) need {(long)width * height * channels} bytes, got {samples.Length}", nameof(samples));
        Width = width;
        Height = height;
        Channels = channels;
        Samples = samples;
    }

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }
    public byte[] Samples { get; }

    /// <summary>The sample of channel <paramref name="c"/> at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public byte this[int y, int x, int c] => Samples[((long)y * Width + x) * Channels + c];

    /// <summary>Channels first (C x H x W), each sample divided by 255: torchvision's ToTensor.</summary>
    public FloatImage ToFloat()
    {
        var image = new FloatImage(Channels, Height, Width);
        var plane = Width * Height;
        // A table of the divisions keeps ToTensor's exact float32 values at the cost of a lookup per sample.
        var levels = new float[256];
        for (var v = 0; v < levels.Length; v++) levels[v] = v / 255f;
        for (var c = 0; c < Channels; c++)
        {
            var target = image.Plane(c);
            for (var p = 0; p < plane; p++) target[p] = levels[Samples[p * Channels + c]];
        }
        return image;
    }
}
