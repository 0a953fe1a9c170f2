using System.Text.Json;

namespace VaeLab.Torch.Tests;

/// <summary>
/// Reads the PyTorch reference values recorded by tests/fixtures/torch/gen_*.py (see fixturelib.py
/// for the layout). Files are copied beside the test assembly under fixtures/.
/// </summary>
public sealed class FixtureFile
{
    readonly JsonElement cases;

    FixtureFile(JsonElement root) => cases = root.GetProperty("cases");

    public static FixtureFile Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", name);
        using var stream = File.OpenRead(path);
        return new FixtureFile(JsonDocument.Parse(stream).RootElement.Clone());
    }

    public IEnumerable<string> Names => cases.EnumerateObject().Select(p => p.Name);

    public FixtureCase this[string name] =>
        cases.TryGetProperty(name, out var c) ? new FixtureCase(name, c) : throw new KeyNotFoundException($"no fixture case '{name}'");
}

public sealed class FixtureCase(string name, JsonElement element)
{
    public string Name { get; } = name;

    public Tensor Input(string key) => Decode(element.GetProperty("inputs"), key);
    public Tensor Output(string key) => Decode(element.GetProperty("outputs"), key);
    public bool HasOutput(string key) => element.GetProperty("outputs").TryGetProperty(key, out _);
    public JsonElement Arg(string key) => element.GetProperty("args").GetProperty(key);
    public bool HasArg(string key) => element.GetProperty("args").TryGetProperty(key, out _);
    public IEnumerable<string> InputNames => element.GetProperty("inputs").EnumerateObject().Select(p => p.Name);
    public IEnumerable<string> OutputNames => element.GetProperty("outputs").EnumerateObject().Select(p => p.Name);

    Tensor Decode(JsonElement group, string key)
    {
        if (!group.TryGetProperty(key, out var t)) throw new KeyNotFoundException($"fixture case '{Name}' has no tensor '{key}'");
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var data = t.GetProperty("data");
        var decoded = t.GetProperty("dtype").GetString() switch
        {
            "float32" => tensor(data.EnumerateArray().Select(e => e.GetSingle()).ToArray(), shape),
            "float64" => tensor(data.EnumerateArray().Select(e => e.GetDouble()).ToArray(), shape),
            "int64" => tensor(data.EnumerateArray().Select(e => e.GetInt64()).ToArray(), shape),
            "int32" => tensor(data.EnumerateArray().Select(e => e.GetInt32()).ToArray(), shape),
            "uint8" => tensor(data.EnumerateArray().Select(e => e.GetByte()).ToArray(), shape),
            "bool" => tensor(data.EnumerateArray().Select(e => e.GetInt32() != 0).ToArray(), shape),
            var other => throw new NotSupportedException($"fixture dtype {other}"),
        };
        if (shape.Length > 0) return decoded;
        // torch.tensor reads an empty shape as "1-D"; a recorded 0-dim tensor must stay 0-dim.
        using (decoded) return decoded.reshape();
    }
}

public static class TensorAssert
{
    /// <summary>Equal shapes and |actual - expected| &lt;= atol + rtol * |expected| everywhere.</summary>
    public static void Close(Tensor expected, Tensor actual, double rtol = 1e-5, double atol = 1e-6, string? what = null)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.data<double>();
        var a = actual.data<double>();
        for (var i = 0; i < e.Length; i++)
        {
            var tolerance = atol + rtol * Math.Abs(e[i]);
            if (!(Math.Abs(a[i] - e[i]) <= tolerance))
                Assert.Fail($"{what ?? "tensor"}: element {i} is {a[i]:R}, expected {e[i]:R} (tolerance {tolerance:G3})");
        }
    }
}
