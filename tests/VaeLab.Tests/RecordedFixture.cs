using System.Text.Json;

namespace VaeLab.Tests;

/// <summary>
/// Reads the reference values that tests/fixtures/vaelab/gen_*.py record (the layout of
/// tests/fixtures/torch/fixturelib.py: cases of named input and output tensors plus args), copied beside the
/// test assembly under fixtures/.
/// </summary>
public sealed class RecordedFixture(JsonElement element)
{
    public static RecordedFixture Load(string file, string name)
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "fixtures", file));
        var cases = JsonDocument.Parse(stream).RootElement.GetProperty("cases");
        return cases.TryGetProperty(name, out var c) ? new RecordedFixture(c.Clone()) : throw new KeyNotFoundException($"{file} has no case '{name}'");
    }

    public static IEnumerable<string> Names(string file)
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "fixtures", file));
        return JsonDocument.Parse(stream).RootElement.GetProperty("cases").EnumerateObject().Select(p => p.Name).ToList();
    }

    public Tensor Input(string key) => Decode(element.GetProperty("inputs").GetProperty(key));
    public Tensor Output(string key) => Decode(element.GetProperty("outputs").GetProperty(key));
    public IReadOnlyList<string> OutputNames => element.GetProperty("outputs").EnumerateObject().Select(p => p.Name).ToList();
    public double Arg(string key) => element.GetProperty("args").GetProperty(key).GetDouble();
    public JsonElement ArgJson(string key) => element.GetProperty("args").GetProperty(key);
    public JsonElement Args => element.GetProperty("args");

    static Tensor Decode(JsonElement t)
    {
        Assert.Equal("float64", t.GetProperty("dtype").GetString());
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var data = t.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        using var flat = tensor(data);
        return flat.reshape(shape);
    }
}
