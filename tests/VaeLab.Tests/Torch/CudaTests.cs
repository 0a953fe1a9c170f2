using System.Runtime.InteropServices;
using VaeLab.Data.Images;
using VaeLab.Display;
using VaeLab.Data.Doodles;
using VaeLab.Data.QuickDraw;
using static TorchSharp.torch.optim;
using F = TorchSharp.torch.nn.functional;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Tests.Torch;

/// <summary>
/// The same computation on CUDA and on the CPU gives the same numbers, in float64, where cuDNN's algorithms differ from
/// the CPU's only by rounding; and every model trains and is evaluated on CUDA as its notebook does with
/// device = "cuda". Built with -p:TorchBackend=cuda and run on a GPU; skipped elsewhere.
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
        using var model = new ConvVae(new ConvVaeConfig { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 });
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

    [CudaFact]
    public void CudaParsesToTheGpuAndAGpuPastTheLastIsRejected()
    {
        Assert.Equal(DeviceType.CUDA, Devices.parse("cuda").type);
        Assert.Equal((DeviceType.CUDA, 0), (Devices.parse("cuda:0").type, Devices.parse("cuda:0").index));
        var count = cuda.device_count();
        var error = Assert.Throws<ArgumentException>(() => Devices.parse($"cuda:{count}"));
        Assert.Equal("device", error.ParamName);
        Assert.StartsWith($"device = \"cuda:{count}\", but this machine has {count} GPU(s)", error.Message);
    }

    // The notebooks' path on a GPU: the model moved to the parsed device right after it is built, then its optimizers,
    // batches built on the CPU and moved by the Trainer, evaluation on the device, results read back on the CPU.

    static readonly TrainerOptions OneEpoch = new() { epochs = 1, handle_ctrl_c = false };

    /// <summary>One epoch of one batch, validated on another made the same way: every loss finite, every parameter still on
    /// CUDA, and the step moved some of them.</summary>
    static void FitOneStep<TBatch>(nn.Module model, Trainer<TBatch> trainer, Func<TBatch> batch)
    {
        var before = model.parameters().Select(p => p.detach().cpu()).ToList();
        var history = trainer.fit(_ => [batch()], [batch()]);
        var losses = Assert.Single(history.steps).losses.Concat(history.epochs[0].validation!);
        Assert.All(losses, l => Assert.True(double.IsFinite(l.Value), $"{l.Key} = {l.Value}"));
        var after = model.parameters().ToList();
        Assert.All(after, p => Assert.Equal(DeviceType.CUDA, p.device_type));
        Assert.Contains(after.Zip(before), p => !p.First.cpu().Equals(p.Second));
    }

    static ImageArray RandomImages(int count, int channels, int size)
    {
        var pixels = new byte[count * channels * size * size];
        new Random(0).NextBytes(pixels);
        return new ImageArray(pixels, channels, size, size, [.. Enumerable.Range(0, count).Select(i => (long)(i % 2))], ["a", "b"]);
    }

    static void AssertScore(Tensor score, string what) => Assert.True(Math.Abs(score.ToDouble()) <= 1, $"{what} = {score.ToDouble()}");

    [CudaFact]
    public void AConvVaeTrainsAndIsEvaluatedOnCudaAsItsNotebookDoes()
    {
        using var scope = NewDisposeScope();
        var device = Devices.parse("cuda");
        var loader = new DataLoader(RandomImages(8, 1, 16), batch_size: 8, prefetch: 0);
        manual_seed(0);
        using var model = new ConvVae(new ConvVaeConfig { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 }).to(device);
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
        var trainer = new Trainer<ImageBatch>(model, [optimizer], (batch, step) =>
        {
            var losses = model.losses(batch.Images, step.kl_weight);
            losses["loss"].backward();
            return losses;
        }) { options = OneEpoch, validation_step = (batch, step) => model.losses(batch.Images, step.kl_weight) };
        FitOneStep(model, trainer, () => loader.batches(0).First());

        model.eval();
        using var _ = no_grad();
        var x = loader.batches(0).First().Images.to(device);
        var (x_hat, mu, _) = model.call(x);
        AssertScore(ImageSimilarity.ssim(x_hat, x), "ssim");
        Assert.Equal(8, Image.FromBatch(x_hat).Length);
        Assert.Equal(DeviceType.CUDA, model.sample(4).device_type);
        using var pca = Pca.fit(mu);
        Assert.Equal(DeviceType.CUDA, pca.transform(mu).device_type);
        var steps = linspace(0, 1, 3, device: device).unsqueeze(1);
        Assert.Equal([3L, 1, 16, 16], model.decoder.call(mu[0].unsqueeze(0) * (1 - steps) + mu[1].unsqueeze(0) * steps).shape);
    }

    [CudaFact]
    public void ASplitVaeTrainsBothNetworksAndIsScoredOnCudaAsItsNotebookDoes()
    {
        using var scope = NewDisposeScope();
        var device = Devices.parse("cuda");
        var loader = new DataLoader(RandomImages(8, 3, 16), batch_size: 8, prefetch: 0, transform: new Normalize([0.5], [0.5]));
        manual_seed(0);
        using var model = new SplitVae(new SplitVaeConfig
        {
            image_channels = 3, image_size = 16, latent_dim = 4, encoder_channels = [4, 8, 8], fc_size = 16, decoder_channels = [8, 4, 4],
        }).to(device);
        var encoder_optimizer = optim.RMSProp(model.encoder.parameters(), lr: 1e-3, alpha: 0.9, eps: 1e-8);
        var decoder_optimizer = optim.RMSProp(model.decoder.parameters(), lr: 1e-3, alpha: 0.9, eps: 1e-8);
        var trainer = new Trainer<ImageBatch>(model, [encoder_optimizer, decoder_optimizer], (batch, _) =>
        {
            var losses = model.losses(batch.Images);
            model.backward(losses);
            return losses;
        })
        {
            options = OneEpoch,
            schedulers = [optim.lr_scheduler.ExponentialLR(encoder_optimizer, 0.75), optim.lr_scheduler.ExponentialLR(decoder_optimizer, 0.75)],
            validation_step = (batch, _) =>
            {
                var x_tilde = model.reconstruct(batch.Images);
                return new Dictionary<string, Tensor> { ["pcc"] = ImageSimilarity.pcc(x_tilde, batch.Images), ["ssim"] = ImageSimilarity.ssim(x_tilde, batch.Images, data_range: 2) };
            },
        };
        FitOneStep(model, trainer, () => loader.batches(0).First());

        model.eval();
        using var _ = no_grad();
        Assert.Equal(DeviceType.CUDA, model.decoder.call(randn(4, 4, device: device)).device_type);
        Assert.Equal([2L, 3, 16, 16], model.sample(2).shape);
    }

    [CudaFact]
    public void ACvaeTrainsAndCompletesOnCudaAsItsNotebookDoes()
    {
        using var scope = NewDisposeScope();
        var device = Devices.parse("cuda");
        var drawings = SyntheticDoodles.Generate(4, seed: 0, [DoodleShape.Circle, DoodleShape.Cross]);
        var pairs = new CompletionPairs(drawings, options: RasterOptions.Seed000 with { Width = 16, Height = 16, Margin = 1 });
        manual_seed(0);
        using var model = new Cvae(new CvaeConfig { image_size = 16, latent_dim = 4, encoder_channels = [4, 4, 8], decoder_channels = [4, 4] }).to(device);
        var optimizer = optim.Adam(model.parameters(), lr: 1e-3, weight_decay: 1e-9);
        var trainer = new Trainer<CompletionBatch>(model, [optimizer], (batch, step) =>
        {
            var losses = model.losses(batch.full, batch.partial, step.kl_weight);
            losses["loss"].backward();
            return losses;
        })
        {
            options = OneEpoch with { clip_grad_norm = 0.01 },
            schedulers = [optim.lr_scheduler.StepLR(optimizer, 5, 0.5)],
            validation_step = (batch, step) => model.losses(batch.full, batch.partial, step.kl_weight),
        };
        FitOneStep(model, trainer, () => pairs.batches(0, batch_size: 8).First());

        model.eval();
        using var _ = no_grad();
        var test = pairs.batch([0, 5], new Random(0)).to(device);
        var completion = model.sample(test.partial, stochastic: true);
        Assert.True(double.IsFinite(F.binary_cross_entropy(completion, test.full).ToDouble()));
        AssertScore(ImageSimilarity.pcc(completion, test.full), "pcc");
        Assert.Equal(2, Image.FromBatch(completion > 0.5).Length);
    }

    [CudaFact]
    public void ADoodleCnnTrainsAndFillsItsConfusionMatrixOnCudaAsItsNotebookDoes()
    {
        using var scope = NewDisposeScope();
        var device = Devices.parse("cuda");
        var drawings = SyntheticDoodles.Generate(4, seed: 0, [DoodleShape.Circle, DoodleShape.Square]);
        var x = Raster.ToTensor(drawings.Select(d => QuickDrawCanvas.Fit(d.Strokes)).ToList(), RasterOptions.Seed001Classifier);
        var y = tensor(drawings.Select(d => d.Word == "circle" ? 0L : 1L).ToArray());
        manual_seed(0);
        using var model = new DoodleCnn(2).to(device);
        Dictionary<string, Tensor> Losses((Tensor x, Tensor y) batch)
        {
            var logits = model.call(batch.x);
            return new() { ["loss"] = F.cross_entropy(logits, batch.y), ["accuracy"] = logits.argmax(1).eq(batch.y).to(float32).mean() };
        }
        var trainer = new Trainer<(Tensor x, Tensor y)>(model, [optim.Adam(model.parameters(), lr: 1e-3)], (batch, _) =>
        {
            var losses = Losses(batch);
            losses["loss"].backward();
            return losses;
        }) { options = OneEpoch, validation_step = (batch, _) => Losses(batch) };
        FitOneStep(model, trainer, () => (x, y));

        model.eval();
        using var _ = no_grad();
        var probabilities = F.softmax(model.call(x.to(device)), 1);
        var confusion = new ConfusionMatrix(2);
        confusion.add(y.to(device), probabilities);
        Assert.Equal(8, confusion.total);
        Assert.Equal(DeviceType.CPU, probabilities.cpu().device_type);
    }

    /// <summary>A Sketch-RNN on the GPU after one training step on the sketches' first batch, as its notebook trains it.</summary>
    static SketchRnn TrainedOnCuda<T>(SketchRnnConfig config, IReadOnlyList<T> sketches) where T : StrokeRows
    {
        manual_seed(0);
        var model = new SketchRnn(config).to(Devices.parse("cuda"));
        FitOneStep(model, model.trainer(OneEpoch), () => SketchBatches.epoch(sketches, config, 0).First());
        return model;
    }

    [CudaFact]
    public void ASketchRnnTrainsEvaluatesAndDrawsOnCudaAsItsNotebookDoes()
    {
        using var scope = NewDisposeScope();
        var sketches = SketchTesting.Sketches(8);
        using var model = TrainedOnCuda(SketchTesting.Small, sketches);

        Assert.All(model.evaluate(sketches), e => Assert.True(double.IsFinite(e.Value), $"{e.Key} = {e.Value}"));
        Assert.Equal(2, model.reconstruct([.. sketches.Take(2)], temperature: 0.2, seed: 1).Count);
        Assert.All(model.generate(3, temperature: 0.5, seed: 1), s => Assert.IsType<Stroke5>(s));
        var path = model.interpolate(sketches[0], sketches[1], steps: 3);
        Assert.Equal(DeviceType.CUDA, path.device_type);
        Assert.Equal(3, model.decode(path, seed: 1).Count);
        Assert.Equal(3, model.decode(path.cpu(), seed: 1).Count);
        Assert.Single(model.complete([sketches[0]], temperature: 0.1, seed: 1));
    }

    [CudaFact]
    public void ATimingAwareSketchRnnWithLayerNormCellsTrainsAndDrawsOnCudaAsItsNotebookDoes()
    {
        using var scope = NewDisposeScope();
        var sketches = SketchTesting.TimedSketches(8);
        using var model = TrainedOnCuda(SketchTesting.SmallDoodler, sketches);

        Assert.All(model.reconstruct([.. sketches.Take(2)], temperature: 0.2, sample_z: true, seed: 1), s => Assert.IsType<Stroke6>(s));
        Assert.All(model.generate(3, temperature: 1.0, seed: 1), s => Assert.IsType<Stroke6>(s));
    }

    [CudaFact]
    public void ASketchClassifierTrainsPredictsAndCompletesOnCudaAsItsNotebookDoes()
    {
        using var scope = NewDisposeScope();
        var device = Devices.parse("cuda");
        var config = new SketchClassifierConfig { enc_rnn_size = 8, z_size = 4, hidden_size = 8, num_classes = 2, categories = ["a", "b"], batch_size = 4 };
        var sketches = SketchTesting.Sketches(8);
        var data = sketches.Select((s, i) => (s, i % 2)).ToList();
        manual_seed(0);
        using var classifier = new SketchClassifier(config).to(device);
        FitOneStep(classifier, classifier.trainer(OneEpoch), () => SketchBatches.prefixes(data, config, 0).First());

        var predictions = classifier.predict([.. sketches], k: 2);
        Assert.All(predictions, p => Assert.Equal(1, p.probabilities.Sum(), 1e-5));
        var drawModels = Enumerable.Range(0, 2).Select(_ => new SketchRnn(SketchTesting.Small).to(device)).ToList();
        var (prediction, completion) = classifier.complete(StrokePrefix.FirstRows(sketches[0], 2), drawModels, k: 1, seed: 1);
        Assert.Contains(prediction.top, new[] { 0, 1 });
        Assert.True(completion.Length >= 2);
    }
}
