using System.Text.Json;

namespace VaeLab.Tests.Torch;

/// <summary>
/// One case of the PyTorch reference values that tests/fixtures/torch/gen_*.py record (layout in fixturelib.py:
/// named input and output tensors plus args), read from the copy under fixtures/torch/ beside the test assembly.
/// </summary>
public sealed class TorchFixture(string name, JsonElement element)
{
    public static IEnumerable<string> Names(string file) => Cases(file).EnumerateObject().Select(p => p.Name).ToList();

    public static TorchFixture Load(string file, string name) =>
        Cases(file).TryGetProperty(name, out var c) ? new TorchFixture(name, c.Clone()) : throw new KeyNotFoundException($"{file} has no case '{name}'");

    static JsonElement Cases(string file)
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", file));
        return JsonDocument.Parse(stream).RootElement.GetProperty("cases").Clone();
    }

    public Tensor Input(string key) => Decode(element.GetProperty("inputs"), key);
    public Tensor Output(string key) => Decode(element.GetProperty("outputs"), key);
    public bool HasInput(string key) => element.GetProperty("inputs").TryGetProperty(key, out _);
    public JsonElement Arg(string key) => element.GetProperty("args").GetProperty(key);
    public bool HasArg(string key) => element.GetProperty("args").TryGetProperty(key, out _);

    /// <summary>The module state recorded as inputs "state.{key}", in the state_dict order that args.state_keys lists.</summary>
    public Dictionary<string, Tensor> State() =>
        Arg("state_keys").EnumerateArray().Select(k => k.GetString()!).ToDictionary(k => k, k => Input($"state.{k}"));

    Tensor Decode(JsonElement group, string key)
    {
        if (!group.TryGetProperty(key, out var t)) throw new KeyNotFoundException($"fixture case '{name}' has no tensor '{key}'");
        var shape = t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var data = t.GetProperty("data").EnumerateArray();
        return t.GetProperty("dtype").GetString() switch
        {
            "float32" => tensor(data.Select(e => e.GetSingle()).ToArray(), shape),
            "float64" => tensor(data.Select(e => e.GetDouble()).ToArray(), shape),
            "int64" => tensor(data.Select(e => e.GetInt64()).ToArray(), shape),
            var other => throw new NotSupportedException($"fixture case '{name}': dtype {other}"),
        };
    }
}
