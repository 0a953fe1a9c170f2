using static TorchSharp.torch.optim;

namespace VaeLab.Tests;

/// <summary>Helpers shared by the model tests: state_dict and parameter checks against models.json, and short training runs.</summary>
public static class ModelTesting
{
    /// <summary>Elements over the model's parameters, as PyTorch code counts them: sum(p.numel() for p in model.parameters()).</summary>
    public static long num_parameters(this nn.Module model) => model.parameters().Sum(p => p.numel());

    /// <summary>The model's state_dict keys and shapes equal those PyTorch gives the seed's architecture. (TorchSharp lists
    /// every parameter before the buffers where PyTorch goes module by module, so the order is not compared.)</summary>
    public static void AssertLikePyTorch(nn.Module model, string fixtureCase, string file = "models.json")
    {
        var c = RecordedFixture.Load(file, fixtureCase);
        var keys = c.ArgJson("keys").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var shapes = c.ArgJson("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt64()).ToArray()).ToArray();
        var state = model.state_dict();
        Assert.Equal(keys.Order(StringComparer.Ordinal), state.Keys.Order(StringComparer.Ordinal));
        for (var i = 0; i < keys.Length; i++)
            Assert.True(shapes[i].SequenceEqual(state[keys[i]].shape), $"{keys[i]}: shape [{string.Join(", ", state[keys[i]].shape)}], PyTorch's [{string.Join(", ", shapes[i])}]");
        Assert.Equal(c.ArgJson("parameters").GetInt64(), model.num_parameters());
    }

    /// <summary>Asserts that a summary counts every parameter of the model and gives these modules' first output shapes.</summary>
    public static void AssertSummary(nn.Module model, ModelSummary summary, params (string path, long[] shape)[] outputs)
    {
        Assert.Equal(model.num_parameters(), summary.total_params);
        foreach (var (path, shape) in outputs) Assert.Equal(shape, summary.rows.Single(r => r.path == path).output_shapes[0]);
    }

    /// <summary>The loss under fixed noise (the generator is seeded before the forward pass), without changing the weights.</summary>
    public static double LossAt(Func<Tensor> loss, long seed = 7)
    {
        using var scope = NewDisposeScope();
        manual_seed(seed);
        using (no_grad()) return loss().ToDouble();
    }

    /// <summary>Takes steps with the optimizer on a loss that backward() is called on, each under its own scope.</summary>
    public static void Train(Optimizer optimizer, Func<Tensor> loss, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            loss().backward();
            optimizer.step();
        }
    }

    /// <summary>Images with a few bright rectangles on a dark background: structure a small VAE can learn in a few dozen steps.</summary>
    public static Tensor Shapes(int count, int channels, int size, double low = 0, double high = 1, int seed = 0)
    {
        var images = full([count, channels, size, size], low);
        var random = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            var (top, left) = (random.Next(size / 2), random.Next(size / 2));
            var (height, width) = (2 + random.Next(size / 2), 2 + random.Next(size / 2));
            using var patch = images[n, TensorIndex.Ellipsis, top..(top + height), left..(left + width)];
            patch.fill_(high);
        }
        return images;
    }
}
