using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>Argument checks and unbatched-input handling shared by the recurrent cells.</summary>
internal static class CellInput
{
    /// <summary>Checks x (B, input_size) or (input_size) and its state; returns whether x is batched.</summary>
    public static bool Check(string cell, Tensor input, (Tensor h, Tensor c)? state, long input_size, long hidden_size, ScalarType dtype)
    {
        var batched = input.dim() == 2;
        if (!batched && input.dim() != 1)
            throw new ArgumentException($"{cell}: input must be 2-D (batched) or 1-D (unbatched), got shape [{string.Join(", ", input.shape)}]", nameof(input));
        if (input.size(-1) != input_size)
            throw new ArgumentException($"{cell}: input has {input.size(-1)} features in its last dim, expected input_size = {input_size}", nameof(input));
        if (input.dtype != dtype)
            throw new ArgumentException($"{cell}: input is {input.dtype.Name()} but the weights are {dtype.Name()}", nameof(input));
        if (state is not { } given) return batched;
        long[] expected = batched ? [input.size(0), hidden_size] : [hidden_size];
        foreach (var (t, name) in new[] { (given.h, "h"), (given.c, "c") })
        {
            if (!t.shape.SequenceEqual(expected))
                throw new ArgumentException($"{cell}: state {name} has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", expected)}]", nameof(state));
        }
        return batched;
    }

    /// <summary>x, h, c with a batch dim, the state zeros when absent. Call inside a DisposeScope.</summary>
    public static (Tensor x, Tensor h, Tensor c) Batched(Tensor input, (Tensor h, Tensor c)? state, long hidden_size)
    {
        var x = input.dim() == 2 ? input : input.unsqueeze(0);
        if (state is not { } given)
        {
            long[] shape = [x.size(0), hidden_size];
            return (x, zeros(shape, x.dtype, x.device), zeros(shape, x.dtype, x.device));
        }
        return input.dim() == 2 ? (x, given.h, given.c) : (x, given.h.unsqueeze(0), given.c.unsqueeze(0));
    }

    /// <summary>Drops the batch dim again for unbatched input and moves the results out of the caller's DisposeScope.</summary>
    public static (Tensor h, Tensor c) Restore(Tensor h, Tensor c, bool batched)
    {
        if (!batched) (h, c) = (h.squeeze(0), c.squeeze(0));
        return (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
    }
}
