using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using VaeLab.Data;
using VaeLab.Models;
using VaeLab.Models.Sketch;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Runs;

/// <summary>What a model file says about itself: the model class, its config record, and the data normaliser (null when
/// it was saved without one).</summary>
public sealed record SavedModelInfo(string path, string model, object config, JsonNode? normaliser)
{
    /// <summary>The normaliser as the type it was saved from (e.g. a record of the data's statistics).</summary>
    public T normaliser_as<T>() => normaliser is null
        ? throw new InvalidOperationException($"{path}: the model was saved without a normaliser")
        : normaliser.Deserialize<T>(SavedModel.NormaliserJson) ?? throw new DataFormatException(path, SavedModel.NormaliserKey, "is null");
}

/// <summary>
/// A trained model as one self-describing safetensors file: the tensors are its state_dict, and the metadata says how
/// to build it again: <c>vaelab.model</c> the class (ConvVae, Cvae, SplitVae, SketchRnn, SketchClassifier, DoodleCnn),
/// <c>vaelab.config</c> its config record as JSON, <c>vaelab.normaliser</c> optional JSON for what the data needs
/// before it reaches the model (a stroke scale, class names). Python's safetensors reads the file as a plain state_dict.
/// </summary>
public static class SavedModel
{
    public const string ModelKey = "vaelab.model";
    public const string ConfigKey = "vaelab.config";
    public const string NormaliserKey = "vaelab.normaliser";

    /// <summary>Enums by name, and no computed properties (bottleneck_size, kl_schedule): a config holds what was set, and
    /// a field this version does not know is an error rather than a setting silently dropped.</summary>
    static readonly JsonSerializerOptions ConfigJson = new()
    {
        Converters = { new JsonStringEnumConverter() },
        IgnoreReadOnlyProperties = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Anything serialisable, anonymous objects (whose properties are read-only) included.</summary>
    internal static readonly JsonSerializerOptions NormaliserJson = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    sealed record Kind(Type module, Type config, Func<object, nn.Module> build, Func<nn.Module, object> config_of);

    static Kind Of<TModule, TConfig>(Func<TConfig, TModule> build, Func<TModule, TConfig> config_of) where TModule : nn.Module where TConfig : class =>
        new(typeof(TModule), typeof(TConfig), c => build((TConfig)c), m => config_of((TModule)m));

    static readonly Dictionary<string, Kind> Kinds = new[]
    {
        Of<ConvVae, ConvVaeConfig>(c => new ConvVae(c), m => m.config),
        Of<Cvae, CvaeConfig>(c => new Cvae(c), m => m.config),
        Of<SplitVae, SplitVaeConfig>(c => new SplitVae(c), m => m.config),
        Of<SketchRnn, SketchRnnConfig>(c => new SketchRnn(c), m => m.config),
        Of<SketchClassifier, SketchClassifierConfig>(c => new SketchClassifier(c), m => m.config),
        Of<DoodleCnn, DoodleCnnConfig>(c => new DoodleCnn(c), m => m.config),
    }.ToDictionary(k => k.module.Name);

    /// <summary>The model classes a file can hold.</summary>
    public static IReadOnlyCollection<string> model_names => Kinds.Keys;

    /// <summary>
    /// Writes the module's state_dict and description to <paramref name="path"/> atomically (folders made as needed).
    /// <paramref name="config"/> must be the config the module was built with; <paramref name="normaliser"/> is any
    /// value System.Text.Json serialises (a record, a dictionary, an anonymous object).
    /// </summary>
    public static void save(string path, nn.Module module, object config, object? normaliser = null)
    {
        var name = module.GetType().Name;
        if (!Kinds.TryGetValue(name, out var kind))
            throw new ArgumentException($"{name} cannot be saved as a model file; the model classes are {string.Join(", ", Kinds.Keys)}", nameof(module));
        if (config.GetType() != kind.config)
            throw new ArgumentException($"a {name} is described by a {kind.config.Name}, not a {config.GetType().Name}", nameof(config));
        var json = JsonSerializer.Serialize(config, kind.config, ConfigJson);
        var own = JsonSerializer.Serialize(kind.config_of(module), kind.config, ConfigJson);
        if (json != own)
            throw new ArgumentException($"the config given is not the one the {name} was built with: {json} where the model has {own}", nameof(config));

        var metadata = new Dictionary<string, string> { [ModelKey] = name, [ConfigKey] = json };
        if (normaliser is not null) metadata[NormaliserKey] = JsonSerializer.Serialize(normaliser, normaliser.GetType(), NormaliserJson);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        safetensors.save_file(module.state_dict(), path, metadata);
    }

    /// <summary>Reads the description of a model file without its tensors.</summary>
    public static SavedModelInfo info(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such model file", path);
        var metadata = safetensors.read_metadata(path);
        if (!metadata.TryGetValue(ModelKey, out var name))
            throw new DataFormatException(path, ModelKey, "is missing: not a VaeLab model file (a plain state_dict loads into a model built by hand, with load_weights)");
        if (!Kinds.TryGetValue(name, out var kind))
            throw new DataFormatException(path, ModelKey, $"names '{name}', not one of {string.Join(", ", Kinds.Keys)}");
        if (!metadata.TryGetValue(ConfigKey, out var configJson))
            throw new DataFormatException(path, ConfigKey, "is missing");
        object config;
        JsonNode? normaliser;
        try
        {
            config = JsonSerializer.Deserialize(configJson, kind.config, ConfigJson) ?? throw new JsonException("the config is null");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, ConfigKey, $"is not a {kind.config.Name}: {e.Message}", e);
        }
        try
        {
            normaliser = metadata.TryGetValue(NormaliserKey, out var n) ? JsonNode.Parse(n) : null;
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, NormaliserKey, $"is not JSON: {e.Message}", e);
        }
        return new SavedModelInfo(path, name, config, normaliser);
    }

    /// <summary>Builds the model the file describes, loads its weights (on <paramref name="device"/>, CPU by default) and
    /// puts it in eval mode. Weights that do not fit the config are refused, naming each key at fault.</summary>
    public static nn.Module load(string path, Device? device = null)
    {
        var description = info(path);
        var kind = Kinds[description.model];
        nn.Module module;
        try
        {
            module = kind.build(description.config);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(path, ConfigKey, $"does not describe a valid {description.model}: {e.Message}", e);
        }
        try
        {
            module.load_weights(path);
        }
        catch
        {
            module.Dispose();
            throw;
        }
        if (device is not null) module.to(device);
        module.eval();
        return module;
    }

    /// <summary><see cref="load(string, Device?)"/>, refusing a file that holds another class than T.</summary>
    public static T load<T>(string path, Device? device = null) where T : nn.Module
    {
        var model = info(path).model;
        if (model != typeof(T).Name)
            throw new ArgumentException($"{path} holds a {model}, not a {typeof(T).Name}", nameof(path));
        return (T)load(path, device);
    }
}
