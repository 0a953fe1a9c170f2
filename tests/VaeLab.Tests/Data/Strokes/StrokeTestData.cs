using System.Text.Json;

namespace VaeLab.Tests.Data.Strokes;

/// <summary>Stroke sequences for the stroke tests: from the fixtures and made up with a seeded Random.</summary>
static class StrokeTestData
{
    public static JsonElement Expected => DataFixtures.Expected.GetProperty("strokes");

    public static float[][] Rows(JsonElement sequences) =>
        sequences.EnumerateArray().Select(s => s.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray()).ToArray();

    /// <summary>A random drawing in absolute coordinates, with timing when asked.</summary>
    public static Stroke[] RandomStrokes(Random random, bool timing, int maxStrokes = 5, int maxPoints = 30)
    {
        var t = 0f;
        return Enumerable.Range(0, random.Next(1, maxStrokes + 1)).Select(_ =>
        {
            var n = random.Next(1, maxPoints + 1);
            var xs = Enumerable.Range(0, n).Select(_ => (float)random.Next(256)).ToArray();
            var ys = Enumerable.Range(0, n).Select(_ => (float)random.Next(256)).ToArray();
            var ts = timing ? Enumerable.Range(0, n).Select(_ => t += random.Next(1, 50)).ToArray() : null;
            return new Stroke(xs, ys, ts);
        }).ToArray();
    }

    /// <summary>Absolute positions reached after each row, as (x, y).</summary>
    public static List<(float X, float Y)> Positions(StrokeRows strokes)
    {
        var positions = new List<(float, float)>();
        float x = 0, y = 0;
        for (var i = 0; i < strokes.Length; i++) positions.Add((x += strokes[i, 0], y += strokes[i, 1]));
        return positions;
    }
}
