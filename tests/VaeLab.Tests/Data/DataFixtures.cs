using System.Text.Json;

namespace VaeLab.Tests.Data;

/// <summary>The files tests/fixtures/data/gen_data.py wrote with numpy and Python, and what they hold.</summary>
static class DataFixtures
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "fixtures", "data");

    static readonly Lazy<JsonElement> expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "expected.json"))).RootElement);

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static JsonElement Expected => expected.Value;

    /// <summary>The drawings of one group ("raw", "simplified", "bin") as Python wrote them.</summary>
    public static List<Drawing> ExpectedDrawings(string group) =>
        Expected.GetProperty("drawings").GetProperty(group).EnumerateArray().Select(d => new Drawing(
            d.GetProperty("key_id").GetString()!,
            d.GetProperty("word").GetString()!,
            d.GetProperty("countrycode").GetString()!,
            d.GetProperty("recognized").GetBoolean(),
            DateTimeOffset.Parse(d.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            d.GetProperty("strokes").EnumerateArray().Select(s =>
            {
                var c = s.EnumerateArray().Select(v => v.EnumerateArray().Select(n => (float)n.GetDouble()).ToArray()).ToArray();
                return new Stroke(c[0], c[1], c.Length == 3 ? c[2] : null);
            }).ToList())).ToList();

    /// <summary>The sketches of one split of an .npz fixture as stroke-3 rows.</summary>
    public static List<float[]> ExpectedSketches(string file, string split) =>
        Expected.GetProperty("npz").GetProperty(file).GetProperty(split).EnumerateArray()
            .Select(s => s.EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray()).ToList();
}
