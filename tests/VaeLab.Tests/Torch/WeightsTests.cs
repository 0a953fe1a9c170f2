using TorchSharp.Modules;

namespace VaeLab.Tests.Torch;

/// <summary>Weights.load_weights: the whole state is checked before anything is copied, and every problem is named.</summary>
public sealed class WeightsTests : IDisposable
{
    readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("vaelab-weights-");

    public void Dispose() => folder.Delete(recursive: true);

    static Sequential TwoLayers() => nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 3));

    [Fact]
    public void EveryProblemIsNamedAtOnceAndNothingIsCopied()
    {
        using var model = TwoLayers();
        using var scope = NewDisposeScope();
        var before = model.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        var state = model.state_dict().ToDictionary(e => e.Key, e => full_like(e.Value, 5.0));
        state.Remove("1.bias");
        state["0.weight"] = zeros(3, 3);
        state["extra"] = zeros(1);

        var error = Assert.Throws<ArgumentException>(() => model.load_weights(state));
        Assert.Equal("state", error.ParamName);
        Assert.Contains("wrong shapes: 0.weight is [3, 3] where the model has [2, 2]", error.Message);
        Assert.Contains("missing keys: 1.bias", error.Message);
        Assert.Contains("unexpected keys: extra", error.Message);
        foreach (var (key, value) in model.state_dict()) Assert.True(before[key].Equals(value), $"{key} changed");
    }

    [Fact]
    public void NonStrictLoadingCopiesIntoTheParametersAndReturnsWhatItLeftOut()
    {
        using var model = TwoLayers();
        using var scope = NewDisposeScope();
        var parameters = model.parameters().ToList();
        var state = new Dictionary<string, Tensor> { ["0.weight"] = tensor(new[,] { { 1.0, 2 }, { 3, 4 } }), ["extra"] = zeros(1) };

        var loaded = model.load_weights(state, strict: false);

        Assert.Equal(["0.bias", "1.weight", "1.bias"], loaded.missing_keys);
        Assert.Equal(["extra"], loaded.unexpected_keys);
        Assert.Equal(parameters, model.parameters().ToList());  // the same parameters, which optimizers hold
        Assert.Equal(ScalarType.Float32, parameters[0].dtype);
        Assert.Equal([1f, 2, 3, 4], parameters[0].data<float>().ToArray());
    }

    [Fact]
    public void AFileThatDoesNotFitIsNamedWithItsKeys()
    {
        var path = Path.Combine(folder.FullName, "other.safetensors");
        using (NewDisposeScope()) safetensors.save_file(new Dictionary<string, Tensor> { ["other"] = zeros(1) }, path);
        using var model = TwoLayers();

        var error = Assert.Throws<ArgumentException>(() => model.load_weights(path));
        Assert.Equal("path", error.ParamName);
        Assert.StartsWith($"{path}: the weights do not fit", error.Message);
        Assert.Contains("missing keys: 0.weight, 0.bias, 1.weight, 1.bias", error.Message);
        Assert.Contains("unexpected keys: other", error.Message);
    }
}
