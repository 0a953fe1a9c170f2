using System.Collections.Concurrent;
using System.Reflection;
using System.Text;

namespace VaeLab.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// Base of all layers and models, as torch.nn.Module. Submodules, parameters and buffers are
        /// found from the fields of the derived class (a field of type Module, Parameter, or another
        /// Tensor, which is a buffer; arrays and lists of modules count too) and keyed by field name,
        /// so a model declares its layers as fields and nothing else. register_* adds entries by hand.
        /// </summary>
        public abstract class Module : IDisposable
        {
            readonly List<(string name, Module module)> registeredModules = new();
            readonly List<(string name, Parameter? parameter)> registeredParameters = new();
            readonly List<(string name, Tensor? buffer, bool persistent)> registeredBuffers = new();
            readonly List<Action<Module, object?, object?>> forwardHooks = new();

            public bool training { get; private set; } = true;

            // ---- registration -----------------------------------------------------------------
            public void register_module(string name, Module module) => Register(registeredModules, name, module);
            public void register_parameter(string name, Parameter? parameter) => Register(registeredParameters, name, parameter);

            /// <summary>A non-persistent buffer moves with the module but stays out of state_dict.</summary>
            public void register_buffer(string name, Tensor? buffer, bool persistent = true)
            {
                CheckName(name);
                buffer?.DetachFromDisposeScope();
                registeredBuffers.RemoveAll(b => b.name == name);
                registeredBuffers.Add((name, buffer, persistent));
            }

            void Register<T>(List<(string, T)> list, string name, T value)
            {
                CheckName(name);
                list.RemoveAll(entry => entry.Item1 == name);
                list.Add((name, value));
            }

            static void CheckName(string name)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"'{name}' is not a valid name: it must be non-empty and contain no '.'", nameof(name));
            }

            // ---- discovery from fields ----------------------------------------------------------
            enum FieldKind { Module, Modules, Parameter, Buffer }

            static readonly ConcurrentDictionary<Type, (FieldInfo field, string name, FieldKind kind)[]> fieldCache = new();

            static (FieldInfo, string, FieldKind)[] FieldsOf(Type type) => fieldCache.GetOrAdd(type, t =>
            {
                var chain = new Stack<Type>();
                for (var c = t; c is not null && c != typeof(Module); c = c.BaseType) chain.Push(c);
                var result = new List<(FieldInfo, string, FieldKind)>();
                foreach (var c in chain)
                {
                    foreach (var field in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    {
                        FieldKind? kind = typeof(Parameter).IsAssignableFrom(field.FieldType) ? FieldKind.Parameter
                            : typeof(Tensor).IsAssignableFrom(field.FieldType) ? FieldKind.Buffer
                            : typeof(Module).IsAssignableFrom(field.FieldType) ? FieldKind.Module
                            : typeof(IEnumerable<Module>).IsAssignableFrom(field.FieldType) ? FieldKind.Modules
                            : null;
                        if (kind is { } k) result.Add((field, FieldName(field), k));
                    }
                }
                return result.ToArray();
            });

            // Auto-properties store their value in "<name>k__BackingField".
            static string FieldName(FieldInfo field) =>
                field.Name.StartsWith('<') ? field.Name[1..field.Name.IndexOf('>')] : field.Name;

            /// <summary>Direct children, by name.</summary>
            public IEnumerable<(string name, Module module)> named_children()
            {
                foreach (var (field, name, kind) in FieldsOf(GetType()))
                {
                    var value = field.GetValue(this);
                    if (kind == FieldKind.Module && value is Module module) yield return (name, module);
                    if (kind == FieldKind.Modules && value is IEnumerable<Module> list)
                    {
                        var i = 0;
                        foreach (var item in list) yield return ($"{name}.{i++}", item);
                    }
                }
                foreach (var entry in registeredModules) yield return entry;
            }

            IEnumerable<(string name, Parameter parameter)> OwnParameters()
            {
                foreach (var (field, name, kind) in FieldsOf(GetType()))
                    if (kind == FieldKind.Parameter && field.GetValue(this) is Parameter p) yield return (name, p);
                foreach (var (name, p) in registeredParameters)
                    if (p is not null) yield return (name, p);
            }

            IEnumerable<(string name, Tensor buffer, bool persistent)> OwnBuffers()
            {
                foreach (var (field, name, kind) in FieldsOf(GetType()))
                    if (kind == FieldKind.Buffer && field.GetValue(this) is Tensor t) yield return (name, t, true);
                foreach (var (name, b, persistent) in registeredBuffers)
                    if (b is not null) yield return (name, b, persistent);
            }

            /// <summary>This module and every descendant, depth first, with dotted names ("" for this one).</summary>
            public IEnumerable<(string name, Module module)> named_modules()
            {
                var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
                return Walk("", this, seen);

                static IEnumerable<(string, Module)> Walk(string prefix, Module module, HashSet<Module> seen)
                {
                    if (!seen.Add(module)) yield break;
                    yield return (prefix, module);
                    foreach (var (name, child) in module.named_children())
                        foreach (var entry in Walk(prefix.Length == 0 ? name : $"{prefix}.{name}", child, seen))
                            yield return entry;
                }
            }

            public IEnumerable<Module> modules() => named_modules().Select(m => m.module);
            public IEnumerable<Module> children() => named_children().Select(m => m.module);

            /// <summary>Every parameter once (shared parameters are listed under their first name).</summary>
            public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true)
            {
                var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
                foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
                    foreach (var (name, p) in module.OwnParameters())
                        if (seen.Add(p)) yield return (Join(prefix, name), p);
            }

            public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true)
            {
                foreach (var (prefix, module) in recurse ? named_modules() : [("", this)])
                    foreach (var (name, b, _) in module.OwnBuffers())
                        yield return (Join(prefix, name), b);
            }

            public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

            static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

            /// <summary>Number of parameter elements (trainable ones only if asked).</summary>
            public long num_parameters(bool trainable_only = false) =>
                parameters().Where(p => !trainable_only || p.requires_grad).Sum(p => p.numel());

            // ---- modes and devices --------------------------------------------------------------
            public virtual Module train(bool mode = true)
            {
                foreach (var m in modules()) m.training = mode;
                return this;
            }

            public Module eval() => train(false);

            public Module apply(Action<Module> action)
            {
                foreach (var m in modules()) action(m);
                return this;
            }

            public void zero_grad()
            {
                foreach (var p in parameters()) p.grad = null;
            }

            public Module requires_grad_(bool requires_grad = true)
            {
                foreach (var p in parameters()) p.requires_grad = requires_grad;
                return this;
            }

            /// <summary>Moves parameters and buffers in place (optimizers keep their references).
            /// dtype changes apply to floating-point tensors only, as in PyTorch.</summary>
            public Module to(Device device) => Convert(t => t.to(device));

            public Module to(ScalarType dtype) => Convert(t => t.is_floating_point() ? t.to(dtype) : t.alias());

            public Module to(Device device, ScalarType dtype) => Convert(t => t.is_floating_point() ? t.to(dtype, device) : t.to(device));

            public Module cpu() => to(Device.CPU);
            public Module cuda(int index = -1) => to(new Device(DeviceType.CUDA, index));

            Module Convert(Func<Tensor, Tensor> convert)
            {
                using (no_grad())
                {
                    foreach (var t in parameters().Cast<Tensor>().Concat(buffers()))
                    {
                        using var converted = convert(t);
                        t.set_data(converted);
                    }
                }
                return this;
            }

            // ---- state -----------------------------------------------------------------------
            /// <summary>Parameters and persistent buffers by dotted name, as detached aliases in registration order.</summary>
            public OrderedDictionary<string, Tensor> state_dict()
            {
                var result = new OrderedDictionary<string, Tensor>();
                foreach (var (prefix, module) in named_modules())
                {
                    foreach (var (name, p) in module.OwnParameters()) result.TryAdd(Join(prefix, name), p.detach());
                    foreach (var (name, b, persistent) in module.OwnBuffers())
                        if (persistent) result.TryAdd(Join(prefix, name), b.detach());
                }
                return result;
            }

            /// <summary>
            /// Copies values into parameters and buffers. A shape mismatch is always an error; with strict,
            /// so are missing and unexpected keys. All problems are reported together, and nothing is
            /// copied unless there are none.
            /// </summary>
            public (IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys) load_state_dict(
                IReadOnlyDictionary<string, Tensor> state_dict, bool strict = true)
            {
                using var own = new DisposingDictionary(this.state_dict());
                var missing = own.Items.Keys.Where(k => !state_dict.ContainsKey(k)).ToList();
                var unexpected = state_dict.Keys.Where(k => !own.Items.ContainsKey(k)).ToList();
                var misshaped = own.Items
                    .Where(e => state_dict.TryGetValue(e.Key, out var v) && !v.shape.SequenceEqual(e.Value.shape))
                    .Select(e => $"{e.Key}: expected [{string.Join(", ", e.Value.shape)}], got [{string.Join(", ", state_dict[e.Key].shape)}]")
                    .ToList();
                if (misshaped.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
                {
                    var message = new StringBuilder($"load_state_dict into {GetType().Name} failed:");
                    if (missing.Count > 0) message.Append("\n  missing keys: ").Append(string.Join(", ", missing));
                    if (unexpected.Count > 0) message.Append("\n  unexpected keys: ").Append(string.Join(", ", unexpected));
                    foreach (var line in misshaped) message.Append("\n  shape mismatch for ").Append(line);
                    throw new ArgumentException(message.ToString(), nameof(state_dict));
                }
                using (no_grad())
                {
                    foreach (var (key, target) in own.Items)
                        if (state_dict.TryGetValue(key, out var value)) target.copy_(value);
                }
                return (missing, unexpected);
            }

            sealed class DisposingDictionary(OrderedDictionary<string, Tensor> items) : IDisposable
            {
                public OrderedDictionary<string, Tensor> Items { get; } = items;

                public void Dispose()
                {
                    foreach (var t in Items.Values) t.Dispose();
                }
            }

            /// <summary>Writes state_dict() to a safetensors file (atomically), readable by Python's safetensors.</summary>
            public void save(string path, IReadOnlyDictionary<string, string>? metadata = null)
            {
                var state = state_dict();
                try { safetensors.save_file(state, path, metadata); }
                finally { foreach (var t in state.Values) t.Dispose(); }
            }

            /// <summary>Loads parameters and buffers from a safetensors file written by save() or by PyTorch.</summary>
            public Module load(string path, bool strict = true)
            {
                var state = safetensors.load_file(path);
                try { load_state_dict(state, strict); }
                catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", nameof(path), e); }
                finally { foreach (var t in state.Values) t.Dispose(); }
                return this;
            }

            // ---- hooks -------------------------------------------------------------------------
            /// <summary>Calls hook(module, input, output) after every forward run through call(); dispose the result to remove it.</summary>
            public IDisposable register_forward_hook(Action<Module, object?, object?> hook)
            {
                forwardHooks.Add(hook);
                return new HookRemover(() => forwardHooks.Remove(hook));
            }

            sealed class HookRemover(Action remove) : IDisposable
            {
                public void Dispose() => remove();
            }

            /// <summary>Runs forward and then the forward hooks. Derived generic modules route call() here.</summary>
            protected TOut Invoke<TOut>(object? input, Func<TOut> forward)
            {
                var output = forward();
                foreach (var hook in forwardHooks.ToArray()) hook(this, input, output);
                return output;
            }

            // ---- lifetime ----------------------------------------------------------------------
            /// <summary>Frees the native memory of all parameters and buffers, recursively.</summary>
            public void Dispose()
            {
                foreach (var t in parameters().Cast<Tensor>().Concat(buffers()).ToList()) t.Dispose();
                GC.SuppressFinalize(this);
            }

            public override string ToString() => GetType().Name;
        }

        /// <summary>A module with one input. Implement forward; callers use call(), which also runs hooks.</summary>
        public abstract class Module<TInput, TOutput> : Module
        {
            public abstract TOutput forward(TInput input);

            public TOutput call(TInput input) => Invoke(input, () => forward(input));
        }

        /// <summary>A module with two inputs (e.g. an input and a state).</summary>
        public abstract class Module<TInput1, TInput2, TOutput> : Module
        {
            public abstract TOutput forward(TInput1 input1, TInput2 input2);

            public TOutput call(TInput1 input1, TInput2 input2) => Invoke((input1, input2), () => forward(input1, input2));
        }
    }
}
