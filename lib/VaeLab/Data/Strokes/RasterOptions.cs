namespace VaeLab.Data.Strokes;

/// <summary>How <see cref="Raster"/> maps stroke coordinates to pixels. Pixel (i, j) is the unit square centred on (i, j), as in PIL.</summary>
public enum RasterScale
{
    /// <summary>Coordinates are pixel coordinates already.</summary>
    Pixels,

    /// <summary>
    /// QuickDraw's 256-wide canvas (simplified data, 0-255): x * (Width - 2 Margin) / 256 + Margin, and the same for y
    /// with Height, as seed 000 draws its 64x64 images.
    /// </summary>
    QuickDraw,

    /// <summary>The drawing's bounding box, scaled by one factor and centred, spans the image inside the margin.</summary>
    Fit,
}

/// <summary>What <see cref="Raster"/> draws: image size, line, scaling and colours.</summary>
public sealed record RasterOptions
{
    public int Width { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Width), value, "must be 1 or more"); } = 28;

    public int Height { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Height), value, "must be 1 or more"); } = 28;

    /// <summary>Line width in pixels. Without anti-aliasing a width of 1 or less draws PIL's one-pixel line.</summary>
    public float LineWidth { get; init => field = value > 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(LineWidth), value, "must be a positive number"); } = 1;

    /// <summary>
    /// Coverage-based edges (true) or PIL's aliased ImageDraw.line (false): endpoints truncated to whole pixels,
    /// then one pixel per step along the major axis for width 1, or the pixels whose centres lie within half the
    /// width of the segment for wider lines.
    /// </summary>
    public bool AntiAlias { get; init; } = true;

    /// <summary>Pixels kept free on each side by <see cref="RasterScale.QuickDraw"/> and <see cref="RasterScale.Fit"/>.</summary>
    public int Margin { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Margin), value, "must be 0 or more"); }

    public RasterScale Scale { get; init; } = RasterScale.QuickDraw;

    /// <summary>Value of pixels without ink.</summary>
    public float Background { get; init; }

    /// <summary>Value of fully inked pixels; partly covered ones lie between it and the background.</summary>
    public float Ink { get; init; } = 1;

    /// <summary>3x3 passes that grow the strokes by a pixel each: erosions when the ink is darker than the background, dilations otherwise.</summary>
    public int Thicken { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Thicken), value, "must be 0 or more"); }

    public static RasterOptions Square(int size) => new() { Width = size, Height = size };

    /// <summary>The same drawing with background and ink swapped (black on white to white on black).</summary>
    public RasterOptions Inverted() => this with { Background = Ink, Ink = Background };

    /// <summary>Seed 000: 64x64, (64 - 10) / 256 scale with a 5 px margin, aliased lines, strokes 0 on 1, one erosion.</summary>
    public static readonly RasterOptions Seed000 = new()
    {
        Width = 64, Height = 64, Margin = 5, Scale = RasterScale.QuickDraw, AntiAlias = false, Background = 1, Ink = 0, Thicken = 1,
    };

    /// <summary>Seed 000's drawing at <paramref name="size"/>x<paramref name="size"/>, its margin scaled with the size (5 px
    /// at 64): what cvae-completion trains on, and what the drawing page gives its CVAEs.</summary>
    public static RasterOptions Seed000At(int size) => Seed000 with { Width = size, Height = size, Margin = (int)Math.Round(5.0 * size / 64) };

    /// <summary>
    /// Seed 001's classifier images: 28x28, anti-aliased, black strokes on white. The seed downsamples 255x255
    /// renderings; drawing at 28x28 with a 1 px coverage-based line stands in for that.
    /// </summary>
    public static readonly RasterOptions Seed001Classifier = new() { Width = 28, Height = 28, Background = 1, Ink = 0 };

    /// <summary>QuickDraw's numpy_bitmap convention: 28x28, white (1) strokes on black (0).</summary>
    public static readonly RasterOptions NumpyBitmap = Seed001Classifier.Inverted();
}
