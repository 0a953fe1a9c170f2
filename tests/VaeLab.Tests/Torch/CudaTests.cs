using System.Runtime.InteropServices;
using TorchSharp;
using VaeLab.Models;
using VaeLab.Torch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Tests.Torch;

/// <summary>
/// The same computation on CUDA and on the CPU gives the same numbers, in float64, where cuDNN's algorithms differ from
/// the CPU's only by rounding. Built with -p:TorchBackend=cuda and run on a GPU; skipped elsewhere.
/// </summary>
[Collection(TrainingSerial.Name)]
public class CudaTests
{
    [Fact]
    public void DeviceCountAgreesWithAvailability() => Assert.Equal(cuda.is_available(), cuda.device_count() > 0);

    [CudaFact]
    public void TensorsMoveToCudaAndBack()
    {
        using var scope = NewDisposeScope();
        var host = arange(0.0, 12.0, float64).reshape(3, 4);
        var device = host.cuda();
        Assert.Equal(DeviceType.CUDA, device.device_type);
        var back = (device * 2).cpu();
        Assert.Equal(DeviceType.CPU, back.device_type);
        Assert.True(back.Equals(host * 2));
    }

    [CudaFact]
    public void MixingDevicesThrows()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ExternalException>(() => randn(3, 3).mm(randn(3, 3).cuda()));
        Assert.Contains("Expected all tensors to be on the same device", error.Message.Split('\n')[0]);
    }

    /// <summary>ConvVae's loss with z = mu (the reparameterisation noise differs between the devices' generators) and
    /// its gradients, on the model moved to CUDA with its batch.</summary>
    [CudaFact]
    public void AConvVaeTrainingStepOnCudaMatchesTheCpu()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new ConvVae(new ConvVaeConfig { image_channels = 1, image_size = 16, latent_dims = 4, max_filters = 8 });
        model.to(float64);
        var x = rand([4, 1, 16, 16], float64);

        (Tensor loss, Dictionary<string, Tensor> grads) Step(Device device)
        {
            model.to(device);
            model.zero_grad();
            var images = x.to(device);
            var (mu, log_var) = model.encoder.call(images);
            var loss = F.mse_loss(model.decoder.call(mu), images, Reduction.Sum) + Losses.gaussian_kl(mu, log_var, Reduction.Sum);
            loss.backward();
            return (loss.cpu(), model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.cpu()));
        }

        var (cpuLoss, cpuGrads) = Step(CPU);
        var (cudaLoss, cudaGrads) = Step(CUDA);
        TensorAssert.Close(cpuLoss, cudaLoss, rtol: 1e-9, atol: 1e-12, what: "loss");
        Assert.Equal(cpuGrads.Keys, cudaGrads.Keys);
        foreach (var (name, grad) in cpuGrads) TensorAssert.Close(grad, cudaGrads[name], rtol: 1e-7, atol: 1e-10, what: $"grad {name}");
    }

    /// <summary>On CUDA PackedLstm runs TorchSharp's own packed path (cuDNN); on the CPU its own loop.</summary>
    [CudaFact]
    public void PackedLstmOnCudaMatchesTheCpuLoop()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var lstm = nn.LSTM(3, 5, numLayers: 2, bidirectional: true);
        lstm.to(float64);
        var input = randn([7, 4, 3], float64);
        long[] lengths = [7, 3, 5, 1];
        var (h0, c0) = (randn([4, 4, 5], float64), randn([4, 4, 5], float64));
        var (pOut, pH, pC) = (randn([7, 4, 10], float64), randn([4, 4, 5], float64), randn([4, 4, 5], float64));

        Dictionary<string, Tensor> Run(Device device)
        {
            lstm.to(device);
            lstm.zero_grad();
            var x = input.to(device).requires_grad_();
            var (output, h, c) = PackedLstm.forward(lstm, x, lengths, batch_first: false, (h0.to(device), c0.to(device)));
            ((output * pOut.to(device)).sum() + (h * pH.to(device)).sum() + (c * pC.to(device)).sum()).backward();
            var results = new Dictionary<string, Tensor> { ["output"] = output.cpu(), ["h_n"] = h.cpu(), ["c_n"] = c.cpu(), ["grad input"] = x.grad!.cpu() };
            foreach (var (name, p) in lstm.named_parameters()) results[$"grad {name}"] = p.grad!.cpu();
            return results;
        }

        var cpu = Run(CPU);
        var gpu = Run(CUDA);
        Assert.Equal(cpu.Keys, gpu.Keys);
        foreach (var (name, value) in cpu) TensorAssert.Close(value, gpu[name], rtol: 1e-7, atol: 1e-10, what: name);
    }
}
