using VaeLab.Torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Cli;

/// <summary>
/// A small convolutional VAE for 1 x 32 x 32 images in the style of seed 004, at a quarter of its width
/// (stride-2 convs with batch norm and leaky ReLU, 16-32-64 channels down to 64 x 4 x 4, linear heads for
/// mu and log_var, transposed convs back up, sigmoid), written with torch.nn.functional and explicit parameters.
/// </summary>
sealed class DemoVae
{
    sealed record Layer(Tensor weight, Tensor bias, BatchNorm? norm);

    // Running statistics are buffers: batch_norm updates them in training mode and uses them otherwise.
    sealed record BatchNorm(Tensor weight, Tensor bias, Tensor running_mean, Tensor running_var);

    const long Bottleneck = 64 * 4 * 4;
    readonly List<Tensor> parameters = [];
    readonly Layer[] encoder, decoder;
    readonly Tensor muWeight, muBias, logVarWeight, logVarBias, expandWeight, expandBias;

    public DemoVae(long latent)
    {
        encoder = [Conv(1, 16, transposed: false), Conv(16, 32, transposed: false), Conv(32, 64, transposed: false)];
        decoder = [Conv(64, 32, transposed: true), Conv(32, 16, transposed: true), Conv(16, 1, transposed: true, norm: false)];
        (muWeight, muBias) = Linear(Bottleneck, latent);
        (logVarWeight, logVarBias) = Linear(Bottleneck, latent);
        (expandWeight, expandBias) = Linear(latent, Bottleneck);
    }

    public IReadOnlyList<Tensor> Parameters => parameters;

    public (Tensor mu, Tensor logVar) encode(Tensor x, bool training)
    {
        foreach (var layer in encoder) x = Block(F.conv2d(x, layer.weight, layer.bias, stride: [2], padding: [1]), layer, training);
        x = x.flatten(1);
        return (F.linear(x, muWeight, muBias), F.linear(x, logVarWeight, logVarBias));
    }

    public Tensor decode(Tensor z, bool training)
    {
        var x = F.linear(z, expandWeight, expandBias).view(-1, 64, 4, 4);
        foreach (var layer in decoder)
            x = Block(F.conv_transpose2d(x, layer.weight, layer.bias, stride: [2], padding: [1], output_padding: [1]), layer, training);
        return x.sigmoid();
    }

    /// <summary>Training: a sampled reconstruction and the KL divergence to N(0, I), summed over the batch.</summary>
    public (Tensor reconstruction, Tensor kl) forward(Tensor x)
    {
        var (mu, logVar) = encode(x, training: true);
        var z = torch.randn_like(mu).mul((logVar * 0.5).exp()).add_(mu);
        var kl = -0.5 * (1 + logVar - mu.pow(2) - logVar.exp()).sum();
        return (decode(z, training: true), kl);
    }

    /// <summary>Evaluation: decodes the posterior mean, with batch norm on its running statistics.</summary>
    public Tensor reconstruct(Tensor x) => decode(encode(x, training: false).mu, training: false);

    static Tensor Block(Tensor x, Layer layer, bool training) =>
        layer.norm is { } n
            ? F.leaky_relu(F.batch_norm(x, n.running_mean, n.running_var, n.weight, n.bias, training), 0.01)
            : x;

    // PyTorch's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases. A transposed
    // conv's weight is [in, out, k, k] and PyTorch takes its fan_in from dim 1.
    Layer Conv(long input, long output, bool transposed, bool norm = true)
    {
        var weight = transposed ? Uniform(output * 9, input, output, 3, 3) : Uniform(input * 9, output, input, 3, 3);
        var bias = Uniform((transposed ? output : input) * 9, output);
        var batchNorm = norm ? new BatchNorm(Parameter(torch.ones(output)), Parameter(torch.zeros(output)), torch.zeros(output), torch.ones(output)) : null;
        return new Layer(weight, bias, batchNorm);
    }

    (Tensor weight, Tensor bias) Linear(long input, long output) => (Uniform(input, output, input), Uniform(input, output));

    Tensor Uniform(long fanIn, params long[] shape)
    {
        var bound = 1 / Math.Sqrt(fanIn);
        return Parameter(torch.empty(shape).uniform_(-bound, bound));
    }

    Tensor Parameter(Tensor t)
    {
        parameters.Add(t.requires_grad_());
        return t;
    }
}

/// <summary>torch.optim.Adam (no weight decay) in public tensor ops, until the library's optimizers exist.</summary>
sealed class Adam(IReadOnlyList<Tensor> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
{
    readonly Tensor[] expAvg = parameters.Select(torch.zeros_like).ToArray();
    readonly Tensor[] expAvgSq = parameters.Select(torch.zeros_like).ToArray();
    int steps;

    public void zero_grad()
    {
        foreach (var p in parameters) p.grad = null;
    }

    public void step()
    {
        steps++;
        var biasCorrection1 = 1 - Math.Pow(beta1, steps);
        var biasCorrection2 = 1 - Math.Pow(beta2, steps);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < parameters.Count; i++)
        {
            var grad = parameters[i].grad ?? throw new InvalidOperationException($"parameter {i} has no gradient: call backward() first");
            expAvg[i].mul_(beta1).add_(grad, 1 - beta1);
            expAvgSq[i].mul_(beta2).add_(grad.square(), 1 - beta2);
            var denominator = (expAvgSq[i] / biasCorrection2).sqrt_().add_(eps);
            parameters[i].sub_(expAvg[i] / denominator * (lr / biasCorrection1));
        }
    }
}
