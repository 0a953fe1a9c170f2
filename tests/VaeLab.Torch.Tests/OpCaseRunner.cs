using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace VaeLab.Torch.Tests;

/// <summary>
/// Replays a case recorded by tests/fixtures/torch/opcase.py: runs the op on the recorded inputs,
/// compares its outputs out0, out1, ... with PyTorch's, then compares the gradients of
/// sum_i(out_i * proj_i) with respect to each input that PyTorch differentiated (grad_&lt;input&gt;).
/// </summary>
public static class OpCaseRunner
{
    static readonly ConcurrentDictionary<string, FixtureFile> files = new();

    public static IEnumerable<object[]> Names(string file) => Load(file).Names.Select(n => new object[] { n });

    static FixtureFile Load(string file) => files.GetOrAdd(file, FixtureFile.Load);

    /// <summary>op gets the inputs by name and returns a tensor, an array of tensors or a tuple of tensors.</summary>
    public static void Verify(string file, string name, Func<Func<string, Tensor>, object> op)
    {
        using var scope = NewDisposeScope();
        var c = Load(file)[name];
        var scalars = c.Arg("scalars").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        Tensor Read(string key, Func<string, Tensor> decode) => scalars.Contains(key) ? decode(key).reshape() : decode(key);

        var inputs = c.InputNames.Where(n => !n.StartsWith("proj")).ToDictionary(n => n, n => Read(n, c.Input));
        var differentiable = inputs.Keys.Where(n => c.HasOutput("grad_" + n)).ToArray();
        foreach (var n in differentiable) inputs[n].requires_grad_();

        var outputs = Flatten(op(n => inputs.TryGetValue(n, out var t) ? t : throw new KeyNotFoundException($"case {name} has no input {n}")));
        Assert.Equal(c.OutputNames.Count(n => n.StartsWith("out")), outputs.Length);
        for (var i = 0; i < outputs.Length; i++)
            Compare(Read($"out{i}", c.Output), outputs[i], $"{name}: out{i}");

        if (differentiable.Length == 0) return;
        var terms = Enumerable.Range(0, outputs.Length).Where(i => c.InputNames.Contains($"proj{i}"))
            .Select(i => (outputs[i] * Read($"proj{i}", c.Input)).sum()).ToArray();
        var loss = terms.Skip(1).Aggregate(terms[0], (a, b) => a + b);
        var grads = autograd.grad([loss], differentiable.Select(n => inputs[n]).ToArray(), allow_unused: true);
        for (var k = 0; k < differentiable.Length; k++)
        {
            var n = differentiable[k];
            Compare(Read("grad_" + n, c.Output), grads[k] ?? zeros_like(inputs[n]), $"{name}: gradient for {n}");
        }
    }

    static Tensor[] Flatten(object result) => result switch
    {
        Tensor t => [t],
        Tensor[] ts => ts,
        ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => (Tensor)tuple[i]!).ToArray(),
        _ => throw new ArgumentException($"an op returned {result.GetType().Name}, not tensors"),
    };

    /// <summary>Same dtype and shape; values within float32 or float64 rounding, or equal for integers and bools.</summary>
    static void Compare(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.dtype == actual.dtype, $"{what}: dtype {actual.dtype.Name()}, expected {expected.dtype.Name()}");
        var (rtol, atol) = expected.dtype switch
        {
            ScalarType.Float32 => (1e-5, 1e-6),
            ScalarType.Float64 => (1e-12, 1e-14),
            _ => (0.0, 0.0),
        };
        TensorAssert.Close(expected, actual, rtol, atol, what);
    }
}
