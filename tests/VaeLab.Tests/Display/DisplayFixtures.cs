using System.Collections;
using System.Text.Json;
using System.Xml.Linq;

namespace VaeLab.Tests.Display;

/// <summary>display.json, recorded by tests/fixtures/vaelab/gen_display.py with Pillow and PyTorch.</summary>
static class DisplayFixture
{
    static readonly Lazy<JsonElement> root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "display.json"))).RootElement);

    public static JsonElement Get(string section) => root.Value.GetProperty(section);

    public static IEnumerable<object[]> Cases(string section) =>
        Get(section).EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static JsonElement Case(string section, string name) =>
        Get(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>A number as the script writes it: JSON numbers, and "nan", "inf" or "-inf" in strings.</summary>
    public static double Number(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch { "nan" => double.NaN, "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, var s => throw new FormatException(s) }
        : value.GetDouble();

    /// <summary>A tensor from {"dtype", "shape", "data"}: built in float64 (exact for every recorded value) and converted.</summary>
    public static Tensor Tensor(JsonElement spec)
    {
        var shape = spec.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var data = spec.GetProperty("data").EnumerateArray().Select(Number).ToArray();
        var dtype = spec.GetProperty("dtype").GetString() switch
        {
            "float32" => ScalarType.Float32, "float64" => ScalarType.Float64, "float16" => ScalarType.Float16,
            "int64" => ScalarType.Int64, "int32" => ScalarType.Int32, "uint8" => ScalarType.Byte, "bool" => ScalarType.Bool,
            var other => throw new NotSupportedException(other),
        };
        // An empty shape would mean 1-D to tensor(values, shape): zero dims get the scalar overload.
        using var values = shape.Length == 0 ? tensor(data[0], ScalarType.Float64) : tensor(data, shape);
        return values.to(dtype);
    }
}

static class Markup
{
    /// <summary>HTML output parsed as XML: every fragment VaeLab writes is well-formed, which this also checks.</summary>
    public static XElement Parse(string html) => XElement.Parse($"<root>{html}</root>");

    public static IEnumerable<XElement> All(this XElement root, string name) => root.Descendants().Where(e => e.Name.LocalName == name);
}
