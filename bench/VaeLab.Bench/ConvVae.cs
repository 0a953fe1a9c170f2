using VaeLab.Torch;
using VaeLab.Torch.Native;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Bench;

/// <summary>
/// Seed 004's convolutional VAE written with torch.nn.functional and explicit parameters, the same
/// network as ConvVae in pytorch_bench.py: three stride-2 conv blocks down to filters x 8 x 8, linear
/// heads for mu and log_var, then a linear layer and three transposed conv blocks back to 64 x 64.
/// </summary>
sealed class ConvVae
{
    sealed record Layer(Tensor weight, Tensor bias);

    // Running statistics are buffers: updated by batch_norm in training mode, never by the optimizer.
    sealed record Norm(Tensor weight, Tensor bias, Tensor running_mean, Tensor running_var);

    readonly List<Tensor> parameters = [];
    readonly long filters;
    readonly Layer conv1, conv2, conv3, projMu, projLogVar, lin1, deconv1, deconv2, deconv3;
    readonly Norm bn1, bn2, bn3, dbn1, dbn2;

    public ConvVae(long channels = 1, long latent = 64, long filters = 128)
    {
        this.filters = filters;
        long f1 = filters / 4, f2 = filters / 2, f3 = filters, flat = f3 * 8 * 8;
        conv1 = Conv(channels, f1);
        conv2 = Conv(f1, f2);
        conv3 = Conv(f2, f3);
        bn1 = BatchNorm(f1);
        bn2 = BatchNorm(f2);
        bn3 = BatchNorm(f3);
        projMu = Linear(flat, latent);
        projLogVar = Linear(flat, latent);
        lin1 = Linear(latent, flat);
        deconv1 = ConvTranspose(f3, f2);
        deconv2 = ConvTranspose(f2, f1);
        deconv3 = ConvTranspose(f1, channels);
        dbn1 = BatchNorm(f2);
        dbn2 = BatchNorm(f1);
    }

    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The reconstruction (sigmoid, in [0, 1]) and the KL divergence summed over the batch.</summary>
    public (Tensor reconstruction, Tensor kl) forward(Tensor x)
    {
        x = Down(x, conv1, bn1);
        x = Down(x, conv2, bn2);
        x = Down(x, conv3, bn3);
        x = x.flatten(1);
        var mu = F.linear(x, projMu.weight, projMu.bias);
        var logVar = F.linear(x, projLogVar.weight, projLogVar.bias);
        var sigma = (logVar * 0.5).exp();
        var z = torch.randn_like(sigma).mul(sigma).add_(mu);
        var kl = -0.5 * (1 + logVar - mu.pow(2) - logVar.exp()).sum();
        x = F.linear(z, lin1.weight, lin1.bias).view(-1, filters, 8, 8);
        x = Up(x, deconv1, dbn1);
        x = Up(x, deconv2, dbn2);
        var reconstruction = F.conv_transpose2d(x, deconv3.weight, deconv3.bias, stride: [2], padding: [1], output_padding: [1]).sigmoid();
        return (reconstruction, kl);
    }

    static Tensor Down(Tensor x, Layer conv, Norm norm) =>
        Activate(F.conv2d(x, conv.weight, conv.bias, stride: [2], padding: [1]), norm);

    static Tensor Up(Tensor x, Layer conv, Norm norm) =>
        Activate(F.conv_transpose2d(x, conv.weight, conv.bias, stride: [2], padding: [1], output_padding: [1]), norm);

    static Tensor Activate(Tensor x, Norm norm) =>
        F.leaky_relu(F.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, training: true), 0.01);

    // PyTorch's default init (kaiming_uniform with a = sqrt(5)) amounts to U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
    // for the biases too. A transposed conv's weight is (in, out, k, k) and PyTorch takes fan_in from dim 1.
    Layer Conv(long input, long output) => new(Uniform(input * 9, output, input, 3, 3), Uniform(input * 9, output));
    Layer ConvTranspose(long input, long output) => new(Uniform(output * 9, input, output, 3, 3), Uniform(output * 9, output));
    Layer Linear(long input, long output) => new(Uniform(input, output, input), Uniform(input, output));

    Norm BatchNorm(long features) =>
        new(Parameter(torch.ones(features)), Parameter(torch.zeros(features)), torch.zeros(features), torch.ones(features));

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

/// <summary>torch.optim.AdamW (single-tensor path, amsgrad off) on the binding's fused per-parameter kernel.</summary>
sealed class AdamW(IReadOnlyList<Tensor> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999,
    double eps = 1e-8, double weight_decay = 0.01)
{
    readonly Tensor[] expAvg = parameters.Select(torch.zeros_like).ToArray();
    readonly Tensor[] expAvgSq = parameters.Select(torch.zeros_like).ToArray();
    long steps;

    public void zero_grad()
    {
        foreach (var p in parameters) p.grad = null;
    }

    public void step()
    {
        steps++;
        for (var i = 0; i < parameters.Count; i++)
        {
            Checked.Status(NativeMethods.vt_adam_update(parameters[i].Handle, expAvg[i].Handle, expAvgSq[i].Handle, IntPtr.Zero,
                steps, lr, beta1, beta2, eps, weight_decay, decoupled: 1, maximize: 0), "AdamW.step");
        }
    }
}
