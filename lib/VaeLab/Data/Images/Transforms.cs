namespace VaeLab.Data.Images;

/// <summary>
/// A step of an image pipeline, torchvision style. Random steps draw from <paramref name="random"/>, which the
/// <see cref="DataLoader"/> seeds from (seed, epoch, sample index): the same epoch gives the same images again,
/// whatever the number of workers, and each epoch gives new ones.
/// </summary>
public interface ITransform
{
    FloatImage Apply(FloatImage image, Random? random = null);
}

/// <summary>Applies transforms in order (torchvision's Compose).</summary>
public sealed class Compose(params ITransform[] transforms) : ITransform
{
    public IReadOnlyList<ITransform> Transforms { get; } = transforms;

    public FloatImage Apply(FloatImage image, Random? random = null)
    {
        foreach (var transform in Transforms) image = transform.Apply(image, random);
        return image;
    }
}

public enum Interpolation { Bilinear, Nearest }

/// <summary>
/// Resizes to a size, or with one number the shorter edge to it keeping the aspect ratio (the longer edge becomes
/// int(size * long / short), as in torchvision). Values are those of torch.nn.functional.interpolate with
/// align_corners=False, and by default antialias=True, which is what torchvision's Resize gives on tensors from
/// version 0.17 and what Pillow's resize gives (within a level) in the seeds' pipelines: when shrinking, each output
/// pixel averages its whole footprint with a triangle filter stretched by the scale. Without antialiasing, bilinear
/// reads only the four nearest inputs, so shrinking 375 px to 64 skips most pixels and aliases fine detail.
/// </summary>
public sealed class Resize : ITransform
{
    readonly int? shorter;
    readonly (int Height, int Width)? size;

    public Resize(int size, Interpolation interpolation = Interpolation.Bilinear, bool antialias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        shorter = size;
        Interpolation = interpolation;
        Antialias = antialias;
    }

    public Resize(int height, int width, Interpolation interpolation = Interpolation.Bilinear, bool antialias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        size = (height, width);
        Interpolation = interpolation;
        Antialias = antialias;
    }

    public Interpolation Interpolation { get; }

    /// <summary>Whether bilinear shrinking filters (nearest never does, as in PyTorch).</summary>
    public bool Antialias { get; }

    /// <summary>The output size for an input of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public (int Height, int Width) OutputSize(int height, int width)
    {
        if (size is { } fixedSize) return fixedSize;
        var s = shorter!.Value;
        return height <= width ? (s, (int)((long)s * width / height)) : ((int)((long)s * height / width), s);
    }

    public FloatImage Apply(FloatImage image, Random? random = null)
    {
        var (height, width) = OutputSize(image.Height, image.Width);
        if (height == image.Height && width == image.Width) return image;
        if (Interpolation == Interpolation.Nearest)
        {
            var output = new FloatImage(image.Channels, height, width);
            var rows = Nearest(image.Height, height);
            var columns = Nearest(image.Width, width);
            for (var c = 0; c < image.Channels; c++)
            {
                var source = image.Plane(c);
                var target = output.Plane(c);
                for (var y = 0; y < height; y++)
                    for (var x = 0; x < width; x++) target[y * width + x] = source[rows[y] * image.Width + columns[x]];
            }
            return output;
        }
        // Separable: along rows first, then along columns, as PyTorch's CPU kernel goes.
        var across = Pass(image, width, horizontal: true);
        return Pass(across, height, horizontal: false);
    }

    /// <summary>Resamples one axis to <paramref name="size"/> with the taps of <see cref="Taps"/>.</summary>
    FloatImage Pass(FloatImage image, int size, bool horizontal)
    {
        var input = horizontal ? image.Width : image.Height;
        if (input == size) return image;
        var (starts, weights) = Taps(input, size, Antialias);
        var output = horizontal ? new FloatImage(image.Channels, image.Height, size) : new FloatImage(image.Channels, size, image.Width);
        for (var c = 0; c < image.Channels; c++)
        {
            var source = image.Plane(c);
            var target = output.Plane(c);
            if (horizontal)
            {
                for (var y = 0; y < image.Height; y++)
                {
                    var row = source.Slice(y * image.Width, image.Width);
                    for (var x = 0; x < size; x++)
                    {
                        var w = weights[x];
                        var sum = 0f;
                        for (var k = 0; k < w.Length; k++) sum += w[k] * row[starts[x] + k];
                        target[y * size + x] = sum;
                    }
                }
            }
            else
            {
                for (var y = 0; y < size; y++)
                {
                    var line = target.Slice(y * image.Width, image.Width);
                    var w = weights[y];
                    for (var k = 0; k < w.Length; k++)
                    {
                        var row = source.Slice((starts[y] + k) * image.Width, image.Width);
                        for (var x = 0; x < line.Length; x++) line[x] += w[k] * row[x];
                    }
                }
            }
        }
        return output;
    }

    /// <summary>
    /// The inputs each output reads, as PyTorch computes them in float32 with align_corners=False. Bilinear:
    /// src = (dst + 0.5) * in/out - 0.5, clamped at 0, between floor(src) and the next input. Antialiased: when
    /// shrinking by s = in/out, a triangle of half-width s centred on (dst + 0.5) * s, its weights normalised over
    /// the inputs inside the image; when enlarging it is the same as bilinear.
    /// </summary>
    static (int[] Starts, float[][] Weights) Taps(int input, int output, bool antialias)
    {
        var starts = new int[output];
        var weights = new float[output][];
        var scale = (float)input / output;
        for (var d = 0; d < output; d++)
        {
            if (!antialias)
            {
                var src = Math.Max(scale * (d + 0.5f) - 0.5f, 0f);
                starts[d] = Math.Min((int)src, input - 1);
                var next = Math.Clamp(src - starts[d], 0f, 1f);
                weights[d] = starts[d] < input - 1 ? [1 - next, next] : [1];
                continue;
            }
            var support = scale >= 1 ? scale : 1f;
            var inverse = scale >= 1 ? 1 / scale : 1f;
            var center = scale * (d + 0.5f);
            var first = Math.Max((int)(center - support + 0.5f), 0);
            var count = Math.Min((int)(center + support + 0.5f), input) - first;
            var w = new float[count];
            var total = 0f;
            for (var k = 0; k < count; k++) total += w[k] = Math.Max(0f, 1 - Math.Abs((k + first - center + 0.5f) * inverse));
            if (total != 0) for (var k = 0; k < count; k++) w[k] /= total;
            starts[d] = first;
            weights[d] = w;
        }
        return (starts, weights);
    }

    /// <summary>PyTorch's legacy 'nearest': floor(dst * in/out) in float32, at most in - 1.</summary>
    static int[] Nearest(int input, int output)
    {
        var scale = (float)input / output;
        return Enumerable.Range(0, output).Select(d => Math.Min((int)MathF.Floor(d * scale), input - 1)).ToArray();
    }
}

/// <summary>
/// Crops the centre (torchvision's CenterCrop): offsets round((in - out) / 2) with Python's round, half to even;
/// a crop larger than the image pads it with zeros first, (out - in) / 2 before and the rest after.
/// </summary>
public sealed class CenterCrop : ITransform
{
    public CenterCrop(int size) : this(size, size) { }

    public CenterCrop(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Height = height;
        Width = width;
    }

    public int Height { get; }
    public int Width { get; }

    /// <summary>Where the crop starts in the input; negative where zero padding comes first.</summary>
    public static int Offset(int input, int output) =>
        input >= output ? (int)Math.Round((input - output) / 2.0, MidpointRounding.ToEven) : -((output - input) / 2);

    public FloatImage Apply(FloatImage image, Random? random = null)
    {
        if (image.Height == Height && image.Width == Width) return image;
        var top = Offset(image.Height, Height);
        var left = Offset(image.Width, Width);
        var output = new FloatImage(image.Channels, Height, Width);
        var columns = Math.Min(Width, image.Width - left) - Math.Max(0, -left);
        for (var c = 0; c < image.Channels; c++)
        {
            var source = image.Plane(c);
            var target = output.Plane(c);
            for (var y = Math.Max(0, -top); y < Height && y + top < image.Height; y++)
            {
                var x = Math.Max(0, -left);
                source.Slice((y + top) * image.Width + x + left, columns).CopyTo(target.Slice(y * Width + x, columns));
            }
        }
        return output;
    }
}

/// <summary>Mirrors left to right with probability <see cref="P"/> (torchvision's RandomHorizontalFlip).</summary>
public sealed class RandomHorizontalFlip(double p = 0.5) : ITransform
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), p, "a probability, 0 to 1");

    public FloatImage Apply(FloatImage image, Random? random = null)
    {
        if (random is null) throw new ArgumentNullException(nameof(random), "RandomHorizontalFlip draws from a seeded generator: pass one (the DataLoader does)");
        return random.NextDouble() < P ? Flip(image) : image;
    }

    public static FloatImage Flip(FloatImage image)
    {
        var output = new FloatImage(image.Channels, image.Height, image.Width, (float[])image.Data.Clone());
        for (var row = 0; row < image.Channels * image.Height; row++) output.Data.AsSpan(row * image.Width, image.Width).Reverse();
        return output;
    }
}

/// <summary>
/// Gives every image three colour channels, as the seeds' x.repeat(3, 1, 1) does for grey ones: grey is copied
/// into R, G and B; an alpha channel is dropped, as Pillow's convert("RGB") drops it.
/// </summary>
public sealed class GreyToRgb : ITransform
{
    public FloatImage Apply(FloatImage image, Random? random = null)
    {
        if (image.Channels == 3) return image;
        var output = new FloatImage(3, image.Height, image.Width);
        for (var c = 0; c < 3; c++) image.Plane(image.Channels <= 2 ? 0 : c).CopyTo(output.Plane(c));
        return output;
    }
}

/// <summary>(x - mean) / std per channel (torchvision's Normalize); one value applies to every channel.</summary>
public sealed class Normalize : ITransform
{
    public Normalize(double[] mean, double[] std)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"mean and std need the same number of values, at least one (got {mean.Length} and {std.Length})");
        if (std.Any(s => s == 0 || !double.IsFinite(s))) throw new ArgumentException("std must be finite and non-zero", nameof(std));
        Mean = mean;
        Std = std;
    }

    public IReadOnlyList<double> Mean { get; }
    public IReadOnlyList<double> Std { get; }

    /// <summary>The transform that undoes this one: x * std + mean, to show or score images in [0, 1] again.</summary>
    public Normalize Inverse() => new(
        Mean.Zip(Std, (m, s) => -m / s).ToArray(),
        Std.Select(s => 1 / s).ToArray());

    public FloatImage Apply(FloatImage image, Random? random = null)
    {
        if (Mean.Count != 1 && Mean.Count != image.Channels)
            throw new ArgumentException($"Normalize has {Mean.Count} means for an image of {image.Channels} channels", nameof(image));
        var output = new FloatImage(image.Channels, image.Height, image.Width);
        for (var c = 0; c < image.Channels; c++)
        {
            var k = Mean.Count == 1 ? 0 : c;
            float mean = (float)Mean[k], std = (float)Std[k];
            var source = image.Plane(c);
            var target = output.Plane(c);
            for (var i = 0; i < source.Length; i++) target[i] = (source[i] - mean) / std;
        }
        return output;
    }
}
