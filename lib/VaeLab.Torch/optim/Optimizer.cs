namespace VaeLab.Torch.Optim;

/// <summary>
/// Base of the optimizers, as torch.optim.Optimizer: param groups with their own hyperparameters,
/// per-parameter state created on the first step that finds a gradient, and state dicts for resuming.
/// The state tensors are native memory owned by the optimizer: dispose it when training ends.
/// </summary>
public abstract class Optimizer : IDisposable
{
    readonly List<ParamGroup> groups;
    // Indexed like the state dict: parameters counted through the groups in order.
    readonly Tensor[] parameters;
    readonly ParamState?[] states;

    /// <summary>Fills each group's missing options from defaults and checks them with <see cref="Validate"/>.</summary>
    protected Optimizer(IEnumerable<ParamGroup> param_groups, IReadOnlyDictionary<string, object> defaults)
    {
        groups = param_groups.ToList();
        if (groups.Count == 0) throw new ArgumentException("the optimizer got no parameter groups", nameof(param_groups));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            foreach (var key in group.Keys)
            {
                if (!defaults.ContainsKey(key) && key != InitialLr)
                    throw new ArgumentException($"param_groups[{g}] has option '{key}', which {GetType().Name} does not take", nameof(param_groups));
            }
            foreach (var (key, value) in defaults)
            {
                if (!group.ContainsKey(key)) group[key] = value;
                else if (group[key].GetType() != value.GetType())
                    throw new ArgumentException($"param_groups[{g}] option '{key}' must be a {ParamGroup.TypeName(value)}", nameof(param_groups));
            }
            Validate(group);
            foreach (var p in group.@params)
            {
                if (!seen.Add(p)) throw new ArgumentException($"a parameter appears twice (again in param_groups[{g}])", nameof(param_groups));
                if (!p.is_leaf) throw new ArgumentException("cannot optimize a tensor that is not a leaf of the autograd graph", nameof(param_groups));
            }
        }
        if (seen.Count == 0) throw new ArgumentException("the optimizer got an empty parameter list", nameof(param_groups));
        parameters = groups.SelectMany(g => g.@params).ToArray();
        states = new ParamState?[parameters.Length];
    }

    /// <summary>The key a scheduler adds to each group for the learning rate it started from.</summary>
    internal const string InitialLr = "initial_lr";

    public IReadOnlyList<ParamGroup> param_groups => groups;

    /// <summary>Throws ArgumentException naming the first invalid hyperparameter of the group.</summary>
    protected abstract void Validate(ParamGroup group);

    protected static void RequireNonNegative(ParamGroup group, string key)
    {
        var value = group.Get<double>(key);
        if (!(value >= 0)) throw new ArgumentException($"invalid {key} {value}: it must be >= 0", key);
    }

    /// <summary>Updates one parameter, which has a gradient, in place.</summary>
    protected abstract void Update(Tensor param, ParamState state, ParamGroup group);

    /// <summary>Whether parameter state counts steps, and which tensors it holds under these hyperparameters.</summary>
    protected abstract (bool step, string[] tensors) StateLayout(ParamGroup group);

    /// <summary>Updates every parameter that has a gradient; parameters without one are left alone.</summary>
    public void step()
    {
        var index = 0;
        foreach (var group in groups)
        {
            foreach (var p in group.@params)
            {
                var i = index++;
                using (var grad = p.grad)
                {
                    if (grad is null) continue;
                }
                Update(p, states[i] ??= new ParamState(), group);
            }
        }
    }

    /// <summary>Clears the gradients: to null by default (as PyTorch 2 does), else filled with zeros.</summary>
    public void zero_grad(bool set_to_none = true)
    {
        foreach (var p in parameters)
        {
            if (set_to_none)
            {
                p.grad = null;
                continue;
            }
            using var grad = p.grad;
            grad?.zero_();
        }
    }

    public StateDict state_dict()
    {
        var state = new Dictionary<int, ParamState>();
        for (var i = 0; i < states.Length; i++)
        {
            if (states[i] is { } s) state[i] = new ParamState(s.step, s.tensors);
        }
        var packed = new List<ParamGroupState>();
        var start = 0;
        foreach (var group in groups)
        {
            packed.Add(new ParamGroupState(new Dictionary<string, object>(group.Options), Enumerable.Range(start, group.@params.Count).ToArray()));
            start += group.@params.Count;
        }
        return new StateDict(state, packed);
    }

    /// <summary>
    /// Takes the hyperparameters and a copy of the per-parameter state, matching saved parameters to this
    /// optimizer's by position within the groups (as PyTorch does). Everything is checked before anything changes.
    /// </summary>
    public void load_state_dict(StateDict state_dict)
    {
        var saved = state_dict.param_groups;
        if (saved.Count != groups.Count)
            throw new ArgumentException($"the state dict has {saved.Count} parameter groups but the optimizer has {groups.Count}", nameof(state_dict));

        var loadedGroups = new List<ParamGroup>();
        var owners = new Dictionary<int, (int position, ParamGroup options)>();
        var position = 0;
        for (var g = 0; g < groups.Count; g++)
        {
            var where = $"param_groups[{g}]";
            if (saved[g].@params.Count != groups[g].@params.Count)
                throw new ArgumentException($"{where} has {saved[g].@params.Count} parameters but the optimizer's group has {groups[g].@params.Count}", nameof(state_dict));
            var options = saved[g].options;
            foreach (var key in groups[g].Keys.Where(k => k != InitialLr))
            {
                if (!options.TryGetValue(key, out var value)) throw new ArgumentException($"{where} lacks option '{key}'", nameof(state_dict));
                if (value.GetType() != groups[g][key].GetType())
                    throw new ArgumentException($"{where} option '{key}' is a {ParamGroup.TypeName(value)}, not a {ParamGroup.TypeName(groups[g][key])}", nameof(state_dict));
            }
            var loaded = new ParamGroup([]);
            foreach (var (key, value) in options)
            {
                if (!groups[g].ContainsKey(key) && key != InitialLr)
                    throw new ArgumentException($"{where} has option '{key}', which {GetType().Name} does not take", nameof(state_dict));
                loaded[key] = value;
            }
            Validate(loaded);
            loadedGroups.Add(loaded);
            foreach (var index in saved[g].@params)
            {
                if (!owners.TryAdd(index, (position++, loaded)))
                    throw new ArgumentException($"{where} lists parameter {index} a second time", nameof(state_dict));
            }
        }

        foreach (var (index, s) in state_dict.state)
        {
            var where = $"state[{index}]";
            if (!owners.TryGetValue(index, out var owner))
                throw new ArgumentException($"{where} belongs to no parameter of the param groups", nameof(state_dict));
            var param = parameters[owner.position];
            var (counts, names) = StateLayout(owner.options);
            if (counts && s.step is null) throw new ArgumentException($"{where} lacks 'step'", nameof(state_dict));
            if (!counts && s.step is not null) throw new ArgumentException($"{where} has a 'step', which {GetType().Name} does not keep", nameof(state_dict));
            foreach (var name in names)
            {
                if (!s.tensors.TryGetValue(name, out var t)) throw new ArgumentException($"{where} lacks '{name}'", nameof(state_dict));
                if (!t.shape.SequenceEqual(param.shape))
                    throw new ArgumentException($"{where}.{name} has shape [{string.Join(", ", t.shape)}] but parameter {owner.position} has shape [{string.Join(", ", param.shape)}]", nameof(state_dict));
            }
            foreach (var name in s.tensors.Keys.Except(names))
                throw new ArgumentException($"{where} has '{name}', which {GetType().Name} does not use with these options", nameof(state_dict));
        }

        // Copy before letting go of the current state, which may be what is being loaded.
        var loadedStates = state_dict.state.Select(e =>
        {
            var param = parameters[owners[e.Key].position];
            var copies = e.Value.tensors.ToDictionary(t => t.Key, t => t.Value.to(param.dtype, param.device, copy: true).DetachFromDisposeScope());
            return (owners[e.Key].position, state: new ParamState(e.Value.step, copies));
        }).ToList();
        DisposeState();
        for (var g = 0; g < groups.Count; g++) groups[g].ReplaceOptions(loadedGroups[g].Options);
        foreach (var (i, state) in loadedStates) states[i] = state;
    }

    void DisposeState()
    {
        for (var i = 0; i < states.Length; i++)
        {
            foreach (var t in states[i]?.tensors.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
            states[i] = null;
        }
    }

    public void Dispose() => DisposeState();
}
