using System.Buffers;
using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Torch;

namespace VaeLab.Data.Strokes;

/// <summary>
/// Draws strokes (absolute coordinates) to grey images, row-major H x W floats.
/// <para>
/// Anti-aliasing is coverage-based: a pixel at distance d from a segment of width w gets
/// clamp((w + 1) / 2 - d, 0, min(w, 1)). Across the line this is the w-wide band convolved with a 1-pixel box,
/// so every column of a horizontal line holds exactly w of ink whatever its sub-pixel offset, and segments end in
/// round caps, which join the segments of a stroke without gaps. Overlapping segments take the larger coverage
/// rather than adding up, so joints are not darker than the line (where strokes cross, a pixel gets a little less
/// than the area of the union). Xiaolin Wu's algorithm is cheaper but only draws 1-pixel lines.
/// </para>
/// <para>
/// Each segment visits only the pixels of its bounding box that lie in the band around its line, row by row (two rows
/// of a thin line per vector), so the work grows with the inked area and nothing is allocated per segment or pixel.
/// Segments only record each pixel's squared distance to the nearest of them; the square roots and the coverage
/// follow once per pixel.
/// </para>
/// </summary>
public static class Raster
{
    /// <summary>
    /// Largest distance from the origin, in pixels after scaling, that a point may have: 2^24, beyond which floats
    /// skip whole pixels (and the exact integer stepping of aliased lines could overflow).
    /// </summary>
    public const float MaxCoordinate = 1 << 24;

    /// <summary>The image of a drawing's strokes.</summary>
    public static float[] Draw(IReadOnlyList<Stroke> strokes, RasterOptions options)
    {
        var image = new float[options.Width * options.Height];
        Draw(strokes, options, image);
        return image;
    }

    public static float[] Draw(Drawing drawing, RasterOptions options) => Draw(drawing.Strokes, options);

    /// <summary>Draws into <paramref name="image"/>, Height x Width, overwriting it.</summary>
    public static void Draw(IReadOnlyList<Stroke> strokes, RasterOptions options, Span<float> image)
    {
        int width = options.Width, height = options.Height;
        if (image.Length != width * height)
            throw new ArgumentException($"the image has {image.Length} pixels but the options ask for {height}x{width}", nameof(image));
        var (scale, offsetX, offsetY) = Placement(strokes, options);
        // Wide or anti-aliased lines first gather each pixel's squared distance to the nearest segment (see Band).
        var banded = options.AntiAlias || options.LineWidth > 1;
        var reach = options.AntiAlias ? (options.LineWidth + 1) / 2 : options.LineWidth / 2;
        var reach2 = reach * reach;
        image.Fill(banded ? reach2 : 0);
        for (var s = 0; s < strokes.Count; s++)
        {
            var stroke = strokes[s];
            // A one-point stroke is a dot: a segment of length 0.
            var segments = stroke.Length == 1 ? 1 : stroke.Length - 1;
            for (var i = 0; i < segments; i++)
            {
                var j = Math.Min(i + 1, stroke.Length - 1);
                float ax = stroke.X[i] * scale.X + offsetX, ay = stroke.Y[i] * scale.Y + offsetY;
                float bx = stroke.X[j] * scale.X + offsetX, by = stroke.Y[j] * scale.Y + offsetY;
                if (!(Math.Max(Math.Max(MathF.Abs(ax), MathF.Abs(ay)), Math.Max(MathF.Abs(bx), MathF.Abs(by))) <= MaxCoordinate))
                    throw new ArgumentException($"stroke {s} has a coordinate near point {i} that is not a number within {MaxCoordinate} pixels of the origin", nameof(strokes));
                if (options.AntiAlias) Band(image, width, height, ax, ay, bx, by, reach);
                else if (banded) Band(image, width, height, (int)ax, (int)ay, (int)bx, (int)by, reach);
                else ThinLine(image, width, height, (int)ax, (int)ay, (int)bx, (int)by);
            }
        }
        if (banded) Coverage(image, reach, MathF.Min(options.LineWidth, 1), aliased: !options.AntiAlias);
        for (var k = 0; k < options.Thicken; k++) Dilate(image, width, height);
        Paint(image, options.Background, options.Ink);
    }

    /// <summary>Coverage 0..1 to background..ink.</summary>
    static void Paint(Span<float> image, float background, float ink)
    {
        var range = ink - background;
        if (background == 0 && range == 1) return;
        var i = 0;
        for (; i <= image.Length - Vector<float>.Count; i += Vector<float>.Count)
            (new Vector<float>(background) + new Vector<float>(image[i..]) * range).CopyTo(image[i..]);
        for (; i < image.Length; i++) image[i] = background + image[i] * range;
    }

    /// <summary>1 x H x W float32.</summary>
    public static Tensor ToTensor(IReadOnlyList<Stroke> strokes, RasterOptions options)
    {
        using var batch = ToTensor([strokes], options);
        return batch.squeeze(0);
    }

    public static Tensor ToTensor(Drawing drawing, RasterOptions options) => ToTensor(drawing.Strokes, options);

    /// <summary>N x 1 x H x W float32, drawn in parallel straight into the tensor's memory.</summary>
    public static Tensor ToTensor(IReadOnlyList<IReadOnlyList<Stroke>> drawings, RasterOptions options)
    {
        var pixels = options.Width * options.Height;
        var images = torch.empty([drawings.Count, 1, options.Height, options.Width], torch.float32);
        try
        {
            Parallel.For(0, drawings.Count, i => Draw(drawings[i], options, images.AsSpan<float>().Slice(i * pixels, pixels)));
            return images;
        }
        catch (AggregateException e)
        {
            images.Dispose();
            // The first failure as itself, so that callers see the ArgumentException naming the bad stroke.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    public static Tensor ToTensor(IReadOnlyList<Drawing> drawings, RasterOptions options) =>
        ToTensor(drawings.Select(d => d.Strokes).ToList(), options);

    /// <summary>The factors and offsets that take stroke coordinates to pixel coordinates.</summary>
    static ((float X, float Y) Scale, float OffsetX, float OffsetY) Placement(IReadOnlyList<Stroke> strokes, RasterOptions options)
    {
        int width = options.Width, height = options.Height, margin = options.Margin;
        if (options.Scale != RasterScale.Pixels && 2 * margin >= Math.Min(width, height))
            throw new ArgumentException($"a margin of {margin} leaves no room in a {height}x{width} image", nameof(options));
        switch (options.Scale)
        {
            case RasterScale.Pixels:
                return ((1, 1), 0, 0);
            case RasterScale.QuickDraw:
                return (((width - 2f * margin) / 256, (height - 2f * margin) / 256), margin, margin);
        }
        float minX = float.PositiveInfinity, minY = float.PositiveInfinity, maxX = float.NegativeInfinity, maxY = float.NegativeInfinity;
        foreach (var stroke in strokes)
        {
            Bounds(stroke.X, ref minX, ref maxX);
            Bounds(stroke.Y, ref minY, ref maxY);
        }
        if (minX > maxX) return ((1, 1), 0, 0);
        // Pixel centres run from 0 to size - 1, so the drawing spans margin .. size - 1 - margin.
        float roomX = width - 1 - 2 * margin, roomY = height - 1 - 2 * margin;
        float spanX = maxX - minX, spanY = maxY - minY;
        var scale = MathF.Min(spanX > 0 ? roomX / spanX : float.PositiveInfinity, spanY > 0 ? roomY / spanY : float.PositiveInfinity);
        if (float.IsPositiveInfinity(scale)) scale = 1;
        return ((scale, scale), (width - 1 - spanX * scale) / 2 - minX * scale, (height - 1 - spanY * scale) / 2 - minY * scale);
    }

    /// <summary>
    /// Widens [min, max] to hold <paramref name="values"/>, a vector at a time. Vector.Min and Max follow MathF.Min and
    /// Max (NaN wins, -0 is below +0), so the result is the same as one value at a time.
    /// </summary>
    static void Bounds(ReadOnlySpan<float> values, ref float min, ref float max)
    {
        var i = 0;
        if (values.Length >= Vector<float>.Count)
        {
            Vector<float> low = new(values), high = low;
            for (i = Vector<float>.Count; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values[i..]);
                (low, high) = (Vector.Min(low, v), Vector.Max(high, v));
            }
            for (var k = 0; k < Vector<float>.Count; k++) (min, max) = (MathF.Min(min, low[k]), MathF.Max(max, high[k]));
        }
        for (; i < values.Length; i++) (min, max) = (MathF.Min(min, values[i]), MathF.Max(max, values[i]));
    }

    /// <summary>
    /// Lowers each pixel of the band around the segment from a to b, where the segment is nearer than
    /// <paramref name="reach"/>, to its squared distance from the segment if that is smaller.
    /// <para>
    /// Drawing keeps the larger coverage per pixel, and coverage falls as the distance grows (also in floats: a
    /// rounded square root is monotonic), so the coverage of the nearest segment is that larger value. Taking the
    /// minimum distance here and the square root once per pixel afterwards (<see cref="Coverage"/>) gives the same
    /// image as converting and comparing per segment, at a fraction of the cost, since neighbouring segments of a
    /// stroke cover mostly the same pixels.
    /// </para>
    /// </summary>
    static void Band(Span<float> image, int width, int height, float ax, float ay, float bx, float by, float reach)
    {
        float dx = bx - ax, dy = by - ay;
        var length2 = dx * dx + dy * dy;
        var inverse = length2 > 0 ? 1 / length2 : 0;
        var length = MathF.Sqrt(length2);
        var top = (int)MathF.Max(0, MathF.Ceiling(MathF.Min(ay, by) - reach));
        var bottom = (int)MathF.Min(height - 1, MathF.Floor(MathF.Max(ay, by) + reach));
        var left = MathF.Max(0, MathF.Ceiling(MathF.Min(ax, bx) - reach));
        var right = MathF.Min(width - 1, MathF.Floor(MathF.Max(ax, bx) + reach));
        // Pixels beyond the band |cross(p - a, b - a)| / length <= reach around the segment's line cannot be reached;
        // for a segment that is not horizontal that band cuts each row to a short interval.
        var slanted = MathF.Abs(dy) > 1e-6f * length;
        var slope = slanted ? dx / dy : 0;
        var halfRun = slanted ? reach * length / MathF.Abs(dy) : 0;
        var y = top;
        var lanes = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7);
        if (Vector256.IsHardwareAccelerated && right - left < 4)
            for (; y < bottom && (y + 1) * width + (int)left + 4 <= image.Length; y += 2)
                TwoRows(image, width, y, left, right, ax, ay, dx, dy, inverse, slanted, slope, halfRun);
        for (; y <= bottom; y++)
        {
            float from = left, to = right;
            if (slanted)
            {
                var centre = ax + (y - ay) * slope;
                from = MathF.Max(from, MathF.Ceiling(centre - halfRun));
                to = MathF.Min(to, MathF.Floor(centre + halfRun));
            }
            var py = y - ay;
            int x = (int)from, last = (int)to, offset = y * width;
            // Eight pixels at a time while they lie in the image, lanes past the row's last pixel left as they are.
            if (Vector256.IsHardwareAccelerated)
                for (; x <= last && offset + x + 8 <= image.Length; x += 8)
                    Lower(image, offset + x, offset + x + 4, Vector256.Create((float)x) + lanes - Vector256.Create(ax), Vector256.Create(py),
                        Vector256.LessThanOrEqual(lanes, Vector256.Create((float)(last - x))), dx, dy, inverse);
            for (; x <= last; x++) image[offset + x] = MathF.Min(image[offset + x], Distance2(x - ax, py, dx, dy, inverse));
        }
    }

    /// <summary>
    /// Rows y and y + 1 of a band at most four pixels wide, from column <paramref name="left"/>, in one vector: the
    /// rows of thin lines are a few pixels long. Each lane tests whether its pixel lies in its row's interval as the
    /// row loop of <see cref="Band"/> computes it, so that the same pixels get the same values.
    /// </summary>
    static void TwoRows(Span<float> image, int width, int y, float left, float right, float ax, float ay, float dx, float dy, float inverse,
        bool slanted, float slope, float halfRun)
    {
        var x = Vector256.Create(left) + Vector256.Create(0f, 1, 2, 3, 0, 1, 2, 3);
        var py = Vector256.Create((float)y) + Vector256.Create(0f, 0, 0, 0, 1, 1, 1, 1) - Vector256.Create(ay);
        var inBand = Vector256.LessThanOrEqual(x, Vector256.Create(right));
        if (slanted)
        {
            var centre = Vector256.Create(ax) + py * slope;
            inBand &= Vector256.GreaterThanOrEqual(x, Vector256.Ceiling(centre - Vector256.Create(halfRun))) &
                      Vector256.LessThanOrEqual(x, Vector256.Floor(centre + Vector256.Create(halfRun)));
        }
        Lower(image, y * width + (int)left, (y + 1) * width + (int)left, x - Vector256.Create(ax), py, inBand, dx, dy, inverse);
    }

    /// <summary>
    /// Lowers eight pixels, four from <paramref name="first"/> and four from <paramref name="second"/>, to their squared
    /// distances from the segment where <paramref name="inBand"/> is set; the others are written back unchanged.
    /// </summary>
    static void Lower(Span<float> image, int first, int second, Vector256<float> px, Vector256<float> py, Vector256<float> inBand,
        float dx, float dy, float inverse)
    {
        Span<float> low = image.Slice(first, 4), high = image.Slice(second, 4);
        // The operations of the scalar Distance2, in its order, so that every lane rounds as it does.
        var t = Vector256.Min(Vector256.Max((px * dx + py * dy) * inverse, Vector256<float>.Zero), Vector256<float>.One);
        Vector256<float> ex = px - t * dx, ey = py - t * dy;
        var d2 = Vector256.ConditionalSelect(inBand, ex * ex + ey * ey, Vector256.Create(float.PositiveInfinity));
        var pixels = Vector256.Min(Vector256.Create(Vector128.Create<float>(low), Vector128.Create<float>(high)), d2);
        pixels.GetLower().CopyTo(low);
        pixels.GetUpper().CopyTo(high);
    }

    /// <summary>Squared distance from the point (px, py), relative to a, to the segment from a to a + (dx, dy); inverse is 1 / |d|^2, or 0 for a point.</summary>
    static float Distance2(float px, float py, float dx, float dy, float inverse)
    {
        var t = (px * dx + py * dy) * inverse;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        float ex = px - t * dx, ey = py - t * dy;
        return ex * ex + ey * ey;
    }

    /// <summary>
    /// Squared distances d^2 (reach^2 where no segment is nearer) to coverage where d is below the reach:
    /// clamp(reach - d, 0, peak), or 1 for <paramref name="aliased"/> lines; 0 elsewhere.
    /// </summary>
    static void Coverage(Span<float> image, float reach, float peak, bool aliased)
    {
        var reach2 = reach * reach;
        var i = 0;
        for (; i <= image.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var d2 = new Vector<float>(image[i..]);
            var value = aliased ? Vector<float>.One
                : Vector.Max(Vector<float>.Zero, Vector.Min(new Vector<float>(reach) - Vector.SquareRoot(d2), new Vector<float>(peak)));
            Vector.ConditionalSelect(Vector.LessThan(d2, new Vector<float>(reach2)), value, Vector<float>.Zero).CopyTo(image[i..]);
        }
        for (; i < image.Length; i++)
            image[i] = image[i] >= reach2 ? 0 : aliased ? 1 : MathF.Max(0, MathF.Min(reach - MathF.Sqrt(image[i]), peak));
    }

    /// <summary>
    /// PIL's one-pixel line between whole-pixel endpoints: in each column (or row, along the longer axis) the pixel
    /// nearest the true line, ties going the way the line travels; both endpoints included. Computed per step rather
    /// than incrementally so that only the steps inside the image are visited.
    /// </summary>
    static void ThinLine(Span<float> image, int width, int height, int x0, int y0, int x1, int y1)
    {
        var alongX = Math.Abs(x1 - x0) >= Math.Abs(y1 - y0);
        // With coordinates within MaxCoordinate, 2 k m below stays far inside a long.
        // Walk the major axis as "u" and the minor one as "v" so that one loop serves both orientations.
        var (u0, v0, u1, v1, uSize, vSize) = alongX ? (x0, y0, x1, y1, width, height) : (y0, x0, y1, x1, height, width);
        long n = Math.Abs((long)u1 - u0), m = Math.Abs((long)v1 - v0);
        int us = u1 >= u0 ? 1 : -1, vs = v1 >= v0 ? 1 : -1;
        var first = Math.Max(0, us > 0 ? -(long)u0 : u0 - (long)(uSize - 1));
        var last = Math.Min(n, us > 0 ? uSize - 1 - (long)u0 : u0);
        for (var k = first; k <= last; k++)
        {
            var u = u0 + us * k;
            var v = v0 + vs * (n == 0 ? 0 : (2 * k * m + n) / (2 * n));
            if (v < 0 || v >= vSize) continue;
            image[(int)(alongX ? v * width + u : u * width + v)] = 1;
        }
    }

    /// <summary>3x3 maximum filter (grows bright regions); pixels outside the image are left out.</summary>
    public static void Dilate(Span<float> image, int width, int height) => Filter3x3(image, width, height, maximum: true);

    /// <summary>3x3 minimum filter (grows dark regions); pixels outside the image are left out.</summary>
    public static void Erode(Span<float> image, int width, int height) => Filter3x3(image, width, height, maximum: false);

    /// <summary>
    /// The square element is separable: the 3-wide filter along each row into a scratch buffer, then along the
    /// columns back, the latter as two whole-image passes that combine each row with the rows above and below.
    /// </summary>
    static void Filter3x3(Span<float> image, int width, int height, bool maximum)
    {
        if (width < 1 || height < 1 || image.Length != width * height)
            throw new ArgumentException($"the image has {image.Length} pixels, not {height}x{width}", nameof(image));
        var rented = ArrayPool<float>.Shared.Rent(image.Length);
        var scratch = rented.AsSpan(0, image.Length);
        image.CopyTo(scratch);
        if (width > 1)
            for (var y = 0; y < height; y++)
            {
                var source = image.Slice(y * width, width);
                var target = scratch.Slice(y * width, width);
                Pick(target[1..], source[1..], source[..^1], maximum);
                Pick(target[..^1], target[..^1], source[1..], maximum);
            }
        scratch.CopyTo(image);
        Pick(image[width..], image[width..], scratch[..^width], maximum);
        Pick(image[..^width], image[..^width], scratch[width..], maximum);
        ArrayPool<float>.Shared.Return(rented);
    }

    /// <summary>target = max(a, b) or min(a, b) element-wise; target may be a.</summary>
    static void Pick(Span<float> target, ReadOnlySpan<float> a, ReadOnlySpan<float> b, bool maximum)
    {
        var i = 0;
        for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector<float> va = new(a[i..]), vb = new(b[i..]);
            (maximum ? Vector.Max(va, vb) : Vector.Min(va, vb)).CopyTo(target[i..]);
        }
        for (; i < target.Length; i++) target[i] = maximum ? MathF.Max(a[i], b[i]) : MathF.Min(a[i], b[i]);
    }
}
