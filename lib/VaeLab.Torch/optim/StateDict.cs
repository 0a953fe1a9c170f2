using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VaeLab.Torch.Optim;

/// <summary>One parameter's optimizer state, as PyTorch's optimizer.state[p]: a step count (Adam, RMSprop) and named tensors.</summary>
public sealed class ParamState
{
    public ParamState(long? step = null, IReadOnlyDictionary<string, Tensor>? tensors = null)
    {
        this.step = step;
        this.tensors = tensors is null ? new() : new(tensors);
    }

    /// <summary>Steps taken with this parameter; null for optimizers that keep no count (SGD).</summary>
    public long? step { get; set; }

    /// <summary>exp_avg, exp_avg_sq, max_exp_avg_sq, momentum_buffer, square_avg or grad_avg, as present.</summary>
    public Dictionary<string, Tensor> tensors { get; }

    /// <summary>The named tensor, created as zeros like the parameter on first use (lazily, as PyTorch does).</summary>
    internal Tensor Buffer(string name, Tensor param)
    {
        if (!tensors.TryGetValue(name, out var buffer))
            tensors[name] = buffer = torch.zeros_like(param).DetachFromDisposeScope();
        return buffer;
    }
}

/// <summary>A param group's hyperparameters and the indices of its parameters, as in PyTorch's state dict.</summary>
public sealed record ParamGroupState(IReadOnlyDictionary<string, object> options, IReadOnlyList<int> @params);

/// <summary>
/// An optimizer's state in PyTorch's form: per-parameter state keyed by parameter index (counting through
/// the groups in order) and the param groups. The tensors are the optimizer's own, not copies, as in PyTorch;
/// load_state_dict copies them. For a file, <see cref="to_flat"/> gives tensors and metadata that a
/// safetensors writer takes, and <see cref="from_flat"/> reads them back.
/// </summary>
public sealed record StateDict(IReadOnlyDictionary<int, ParamState> state, IReadOnlyList<ParamGroupState> param_groups)
{
    const string GroupsKey = "param_groups";
    const string StateKey = "state";

    /// <summary>
    /// Tensors named "state.{index}.{name}" and metadata holding JSON text: "param_groups" (hyperparameters
    /// and parameter indices, as in PyTorch) and "state" (each parameter's step count).
    /// </summary>
    public (IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) to_flat()
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (index, s) in state)
            foreach (var (name, t) in s.tensors) tensors[$"{StateKey}.{index}.{name}"] = t;

        var groups = Json(w =>
        {
            w.WriteStartArray();
            foreach (var group in param_groups)
            {
                w.WriteStartObject();
                foreach (var (key, value) in group.options)
                {
                    w.WritePropertyName(key);
                    WriteOption(w, value);
                }
                w.WriteStartArray("params");
                foreach (var i in group.@params) w.WriteNumberValue(i);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        var steps = Json(w =>
        {
            w.WriteStartObject();
            foreach (var (index, s) in state)
            {
                w.WriteStartObject(index.ToString(CultureInfo.InvariantCulture));
                if (s.step is { } step) w.WriteNumber("step", step);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });
        return (tensors, new Dictionary<string, string> { [GroupsKey] = groups, [StateKey] = steps });
    }

    /// <summary>The inverse of <see cref="to_flat"/>; the tensors are referenced, not copied. Extra metadata keys are ignored.</summary>
    public static StateDict from_flat(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var groups = new List<ParamGroupState>();
        foreach (var group in Parse(metadata, GroupsKey, JsonValueKind.Array).EnumerateArray())
        {
            var where = $"metadata '{GroupsKey}'[{groups.Count}]";
            if (group.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{where} is not an object", nameof(metadata));
            var options = new Dictionary<string, object>();
            IReadOnlyList<int>? indices = null;
            foreach (var property in group.EnumerateObject())
            {
                if (property.Name == "params")
                    indices = property.Value.ValueKind == JsonValueKind.Array && property.Value.EnumerateArray().All(e => e.TryGetInt32(out _))
                        ? property.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray()
                        : throw new ArgumentException($"{where}.params is not a list of parameter indices", nameof(metadata));
                else
                    options[property.Name] = ReadOption(property.Value, $"{where}.{property.Name}");
            }
            groups.Add(new ParamGroupState(options, indices ?? throw new ArgumentException($"{where} has no 'params'", nameof(metadata))));
        }

        var states = new Dictionary<int, ParamState>();
        foreach (var entry in Parse(metadata, StateKey, JsonValueKind.Object).EnumerateObject())
        {
            var where = $"metadata '{StateKey}'.{entry.Name}";
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || entry.Value.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"{where} is not a parameter index with an object", nameof(metadata));
            long? step = null;
            if (entry.Value.TryGetProperty("step", out var s))
                step = s.TryGetInt64(out var n) ? n : throw new ArgumentException($"{where}.step is not an integer", nameof(metadata));
            states[index] = new ParamState(step);
        }

        foreach (var (key, t) in tensors)
        {
            var parts = key.Split('.', 3);
            if (parts.Length != 3 || parts[0] != StateKey || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                throw new ArgumentException($"tensor '{key}' is not named state.<index>.<name>", nameof(tensors));
            if (!states.TryGetValue(index, out var s))
                throw new ArgumentException($"tensor '{key}' belongs to parameter {index}, which metadata '{StateKey}' does not list", nameof(tensors));
            s.tensors[parts[2]] = t;
        }
        return new StateDict(states, groups);
    }

    static JsonElement Parse(IReadOnlyDictionary<string, string> metadata, string key, JsonValueKind kind)
    {
        if (!metadata.TryGetValue(key, out var text)) throw new ArgumentException($"metadata has no '{key}' entry", nameof(metadata));
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"metadata '{key}' is not valid JSON: {e.Message}", nameof(metadata), e);
        }
        return root.ValueKind == kind ? root : throw new ArgumentException($"metadata '{key}' is not a JSON {kind.ToString().ToLowerInvariant()}", nameof(metadata));
    }

    static void WriteOption(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            case double d: w.WriteNumberValue(d); break;
            case bool b: w.WriteBooleanValue(b); break;
            case (double first, double second):
                w.WriteStartArray();
                w.WriteNumberValue(first);
                w.WriteNumberValue(second);
                w.WriteEndArray();
                break;
            default: throw new ArgumentException($"cannot write an option of type {value.GetType().Name}");
        }
    }

    static object ReadOption(JsonElement e, string where) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array when e.GetArrayLength() == 2 && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number) =>
            (e[0].GetDouble(), e[1].GetDouble()),
        _ => throw new ArgumentException($"{where} is not a number, a bool or a pair of numbers", "metadata"),
    };

    internal static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
