using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;
using static TorchSharp.torch.optim.lr_scheduler;
using static TorchSharp.torch.optim.lr_scheduler.impl;

namespace VaeLab.Torch;

/// <summary>
/// The whole state of a TorchSharp optimizer or learning-rate scheduler as tensors and metadata strings, the two
/// things a safetensors file holds, so that a run saved and resumed continues bit for bit as if never stopped.
/// <para>
/// Optimizers: TorchSharp's state_dict() hands out its live per-group options and per-parameter state objects
/// (Adam.Options, Adam.State, ...); their public fields are the state, the same ones TorchSharp's own binary
/// save_state_dict writes. Tensors are named "state.{index}.{field}" (index counting parameters through the groups,
/// as PyTorch does); metadata "type" (the optimizer's class), "param_groups" (JSON: each group's options and its
/// parameter indices) and "state" (JSON: each parameter's scalar fields, such as Adam's step).
/// </para>
/// <para>
/// Schedulers keep no state_dict in TorchSharp; their position lives in fields of LRScheduler (last_epoch, the step
/// count, base_lrs and last_lrs), which this reads and writes by name. Metadata "type", "last_epoch", "step_count",
/// "base_lrs" and "last_lrs". The learning rates themselves come back with the optimizer's state.
/// </para>
/// Loading goes into an optimizer and scheduler built as when saved (same class, same parameter shapes in the same
/// groups): everything is checked first, and a state that does not fit is refused with ArgumentException before
/// anything changes. The loaded tensors are copies, on the device and in the dtype of their parameters.
/// </summary>
public static class FlatStateDict
{
    const string TypeKey = "type";
    const string GroupsKey = "param_groups";
    const string StateKey = "state";
    const string ParamsKey = "params";

    /// <summary>
    /// The optimizer's state. The tensors are the optimizer's own, not copies (as in PyTorch), and hold only until its
    /// next step (Adam with amsgrad replaces max_exp_avg_sq at each step).
    /// </summary>
    public static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) flat_state_dict(this Optimizer optimizer)
    {
        var state = Helper(optimizer).state_dict();
        var tensors = new Dictionary<string, Tensor>();
        var groups = Json(w =>
        {
            w.WriteStartArray();
            for (var g = 0; g < state.Options.Count; g++)
            {
                w.WriteStartObject();
                foreach (var member in Members(state.Options[g].GetType())) WriteScalar(w, member, state.Options[g]);
                w.WriteStartArray(ParamsKey);
                foreach (var index in state.StateIndexRef[g]) w.WriteNumberValue(index);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        var scalars = Json(w =>
        {
            w.WriteStartObject();
            for (var i = 0; i < state.State.Count; i++)
            {
                w.WriteStartObject(Invariant(i));
                foreach (var member in Members(state.State[i].GetType()))
                {
                    if (member.Type != typeof(Tensor)) WriteScalar(w, member, state.State[i]);
                    else if (member.Get(state.State[i]) is Tensor t) tensors[$"{StateKey}.{i}.{member.Name}"] = t;
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        });
        return (tensors, new Dictionary<string, string> { [TypeKey] = optimizer.GetType().Name, [GroupsKey] = groups, [StateKey] = scalars });
    }

    /// <summary>
    /// Puts a state from <see cref="flat_state_dict(Optimizer)"/> into an optimizer built as the saved one was: the
    /// groups' options (learning rates included) and every parameter's state. Extra metadata keys are ignored.
    /// </summary>
    public static void load_flat_state_dict(this Optimizer optimizer, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var current = Helper(optimizer).state_dict();
        CheckType(metadata, optimizer.GetType());
        var parameters = optimizer.parameters().ToList();
        // Every check runs before the first change; the changes wait here.
        var changes = new List<Action>();

        var groups = Parse(metadata, GroupsKey, JsonValueKind.Array);
        if (groups.GetArrayLength() != current.Options.Count)
            throw new ArgumentException($"the state has {groups.GetArrayLength()} param groups but the optimizer has {current.Options.Count}", nameof(metadata));
        for (var g = 0; g < current.Options.Count; g++)
        {
            var where = $"{GroupsKey}[{g}]";
            var saved = AsObject(groups[g], where);
            var indices = saved.TryGetProperty(ParamsKey, out var p) && p.ValueKind == JsonValueKind.Array && p.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _))
                ? p.EnumerateArray().Select(e => e.GetInt32()).ToList()
                : throw new ArgumentException($"{where}.{ParamsKey} is not a list of parameter indices", nameof(metadata));
            if (!indices.SequenceEqual(current.StateIndexRef[g]))
                throw new ArgumentException($"{where} holds parameters [{string.Join(", ", indices)}] where the optimizer's group holds [{string.Join(", ", current.StateIndexRef[g])}]", nameof(metadata));
            changes.AddRange(ScalarChanges(saved, current.Options[g], where, ParamsKey));
        }

        var states = AsObject(Parse(metadata, StateKey, JsonValueKind.Object), StateKey);
        foreach (var entry in states.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= parameters.Count || Invariant(index) != entry.Name)
                throw new ArgumentException($"{StateKey}[{entry.Name}] belongs to no parameter of the optimizer's {parameters.Count}", nameof(metadata));
        }
        var savedTensors = tensors.GroupBy(e => TensorIndex(e.Key, parameters.Count)).ToDictionary(g => g.Key, g => g.ToDictionary(e => e.Key, e => e.Value));
        for (var i = 0; i < parameters.Count; i++)
        {
            var where = $"{StateKey}[{i}]";
            var target = current.State[i];
            var savedState = states.TryGetProperty(Invariant(i), out var s) ? AsObject(s, where) : throw new ArgumentException($"{where} is missing", nameof(metadata));
            changes.AddRange(ScalarChanges(savedState, target, where));
            changes.AddRange(TensorChanges(savedTensors.GetValueOrDefault(i) ?? [], target, i, parameters[i]));
        }

        foreach (var change in changes) change();
    }

    /// <summary>The scheduler's position: its epoch and step counts and its base and last learning rates.</summary>
    public static Dictionary<string, string> flat_state_dict(this LRScheduler scheduler)
    {
        CheckSupported(scheduler);
        return new Dictionary<string, string>
        {
            [TypeKey] = scheduler.GetType().Name,
            ["last_epoch"] = Invariant((int)LastEpoch.GetValue(scheduler)!),
            ["step_count"] = Invariant((int)StepCount.GetValue(scheduler)!),
            ["base_lrs"] = Json(w => WriteDoubles(w, (IList<double>)BaseLrs.GetValue(scheduler)!)),
            ["last_lrs"] = Json(w => WriteDoubles(w, (IList<double>)LastLrs.GetValue(scheduler)!)),
        };
    }

    /// <summary>Puts a state from <see cref="flat_state_dict(LRScheduler)"/> into a scheduler of the same class on an optimizer with as many groups.</summary>
    public static void load_flat_state_dict(this LRScheduler scheduler, IReadOnlyDictionary<string, string> metadata)
    {
        CheckSupported(scheduler);
        CheckType(metadata, scheduler.GetType());
        var groups = ((IList<double>)BaseLrs.GetValue(scheduler)!).Count;
        var lastEpoch = Count(metadata, "last_epoch");
        var stepCount = Count(metadata, "step_count");
        var baseLrs = Doubles(metadata, "base_lrs", groups);
        var lastLrs = Doubles(metadata, "last_lrs", groups);
        LastEpoch.SetValue(scheduler, lastEpoch);
        StepCount.SetValue(scheduler, stepCount);
        BaseLrs.SetValue(scheduler, baseLrs);
        LastLrs.SetValue(scheduler, lastLrs);
    }

    // ---- optimizers ----------------------------------------------------------------------------------------

    static OptimizerHelper Helper(Optimizer optimizer) => optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"{optimizer.GetType().Name} keeps its state in native code, where flat_state_dict cannot reach it");

    sealed record Member(string Name, Type Type, Func<object, object?> Get, Action<object, object?> Set);

    // The settable public members of an options or state class: its fields, and OptimizerOptions' learning rates.
    static List<Member> Members(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite)
            .Select(p => new Member(p.Name, p.PropertyType, p.GetValue, p.SetValue))
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => new Member(f.Name, f.FieldType, f.GetValue, f.SetValue)))
            .ToList();

    static void WriteScalar(Utf8JsonWriter w, Member member, object owner)
    {
        w.WritePropertyName(member.Name);
        switch (member.Get(owner))
        {
            case null: w.WriteNullValue(); break;
            case double d: w.WriteNumberValue(d); break;
            case long l: w.WriteNumberValue(l); break;
            case int i: w.WriteNumberValue(i); break;
            case bool b: w.WriteBooleanValue(b); break;
            case var other: throw new NotSupportedException($"{owner.GetType().Name}.{member.Name} is a {other.GetType().Name}, which flat_state_dict cannot store");
        }
    }

    // The saved value of each non-tensor member of target, as a change to make; the saved object must name exactly those.
    static IEnumerable<Action> ScalarChanges(JsonElement saved, object target, string where, params string[] alsoAllowed)
    {
        var members = Members(target.GetType()).Where(m => m.Type != typeof(Tensor)).ToList();
        foreach (var name in saved.EnumerateObject().Select(p => p.Name).Except(members.Select(m => m.Name)).Except(alsoAllowed))
            throw new ArgumentException($"{where} has '{name}', which {Describe(target.GetType())} does not", "metadata");
        var changes = new List<Action>();
        foreach (var member in members)
        {
            if (!saved.TryGetProperty(member.Name, out var value)) throw new ArgumentException($"{where} lacks '{member.Name}'", "metadata");
            var read = ReadScalar(value, member.Type, $"{where}.{member.Name}");
            changes.Add(() => member.Set(target, read));
        }
        return changes;
    }

    static object? ReadScalar(JsonElement value, Type type, string where)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        var plain = nullable ?? type;
        if (value.ValueKind == JsonValueKind.Null && nullable is not null) return null;
        if (plain == typeof(bool) && value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (plain == typeof(double)) return value.GetDouble();
            if (plain == typeof(long) && value.TryGetInt64(out var l)) return l;
            if (plain == typeof(int) && value.TryGetInt32(out var i)) return i;
        }
        throw new ArgumentException($"{where} is {value.GetRawText()}, not a {plain.Name}{(nullable is null ? "" : " or null")}", "metadata");
    }

    // The parameter index of a tensor named "state.{index}.{field}".
    static int TensorIndex(string key, int parameters)
    {
        var parts = key.Split('.', 3);
        if (parts.Length != 3 || parts[0] != StateKey || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || Invariant(index) != parts[1])
            throw new ArgumentException($"tensor '{key}' is not named {StateKey}.<parameter index>.<name>", "tensors");
        return index < parameters ? index : throw new ArgumentException($"tensor '{key}' belongs to no parameter of the optimizer's {parameters}", "tensors");
    }

    // The saved tensors of one parameter as changes to its state. A tensor field the state holds now must be saved;
    // one it leaves null (SGD's momentum buffer before the first step) may be saved or not.
    static IEnumerable<Action> TensorChanges(Dictionary<string, Tensor> saved, OptimizerState target, int index, Parameter parameter)
    {
        var members = Members(target.GetType()).Where(m => m.Type == typeof(Tensor)).ToList();
        foreach (var (key, t) in saved)
        {
            var name = key[$"{StateKey}.{index}.".Length..];
            if (members.All(m => m.Name != name))
                throw new ArgumentException($"tensor '{key}': {Describe(target.GetType())} has no tensor '{name}'", "tensors");
            if (!t.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException($"tensor '{key}' has shape [{string.Join(", ", t.shape)}] but parameter {index} has shape [{string.Join(", ", parameter.shape)}]", "tensors");
        }
        var changes = new List<Action>();
        foreach (var member in members)
        {
            var source = saved.GetValueOrDefault($"{StateKey}.{index}.{member.Name}");
            if (source is null && member.Get(target) is not null)
                throw new ArgumentException($"{StateKey}[{index}] lacks tensor '{member.Name}'", "tensors");
            changes.Add(() =>
            {
                var old = (Tensor?)member.Get(target);
                member.Set(target, source?.to(parameter.dtype, parameter.device, copy: true).DetachFromDisposeScope());
                old?.Dispose();
            });
        }
        return changes;
    }

    // "Adam.State" rather than "State": the nested classes of every optimizer share their names.
    static string Describe(Type type) => type.DeclaringType is { } outer ? $"{outer.Name}.{type.Name}" : type.Name;

    // ---- schedulers ----------------------------------------------------------------------------------------

    static readonly FieldInfo LastEpoch = SchedulerField("_last_epoch");
    static readonly FieldInfo StepCount = SchedulerField("_step_count");
    static readonly FieldInfo BaseLrs = SchedulerField("_base_lrs");
    static readonly FieldInfo LastLrs = SchedulerField("_last_lrs");

    static FieldInfo SchedulerField(string name) =>
        typeof(LRScheduler).GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException($"TorchSharp's LRScheduler has no field {name}; this TorchSharp version keeps scheduler state elsewhere");

    // The schedulers whose position lies wholly in those fields: the rest of their fields are settings from the
    // constructor. ReduceLROnPlateau (best, bad epochs, cooldown) and the ones that wrap schedulers keep more.
    static readonly HashSet<Type> PositionOnly =
    [
        typeof(LambdaLR), typeof(MultiplicativeLR), typeof(StepLR), typeof(MultiStepLR), typeof(PolynomialLR), typeof(ExponentialLR),
        typeof(ConstantLR), typeof(LinearLR), typeof(CosineAnnealingLR), typeof(CyclicLR), typeof(OneCycleLR),
    ];

    static void CheckSupported(LRScheduler scheduler)
    {
        if (!PositionOnly.Contains(scheduler.GetType()))
            throw new NotSupportedException($"{scheduler.GetType().Name} keeps state that flat_state_dict does not capture");
    }

    static int Count(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"metadata '{key}' is missing or not a count", nameof(metadata));

    static List<double> Doubles(IReadOnlyDictionary<string, string> metadata, string key, int groups)
    {
        var array = Parse(metadata, key, JsonValueKind.Array);
        if (!array.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number))
            throw new ArgumentException($"metadata '{key}' is not a list of numbers", nameof(metadata));
        return array.GetArrayLength() == groups
            ? array.EnumerateArray().Select(e => e.GetDouble()).ToList()
            : throw new ArgumentException($"metadata '{key}' has {array.GetArrayLength()} learning rates but the optimizer has {groups} param groups", nameof(metadata));
    }

    static void WriteDoubles(Utf8JsonWriter w, IEnumerable<double> values)
    {
        w.WriteStartArray();
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    // ---- both ----------------------------------------------------------------------------------------------

    static void CheckType(IReadOnlyDictionary<string, string> metadata, Type type)
    {
        if (!metadata.TryGetValue(TypeKey, out var saved)) throw new ArgumentException($"metadata has no '{TypeKey}' entry", nameof(metadata));
        if (saved != type.Name) throw new ArgumentException($"the state was saved from {saved}, not {type.Name}", nameof(metadata));
    }

    static string Invariant(int i) => i.ToString(CultureInfo.InvariantCulture);

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

    static JsonElement AsObject(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new ArgumentException($"{where} is not an object", "metadata");

    static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) write(writer);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
