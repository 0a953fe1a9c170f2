using System.Reflection;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Torch;

/// <summary>
/// Devices.parse, and batches moved to a device. A CPU-only libtorch has one device besides the CPU: meta, whose tensors
/// have shapes but no data, and which libtorch keeps apart from the CPU as it keeps CUDA apart ("Expected all tensors to
/// be on the same device"). The moves go there, so that a tensor left behind shows on any machine.
/// </summary>
[Collection(TrainingSerial.Name)]
public class DevicesTests
{
    [Fact]
    public void CpuNamesTheCpu() => Assert.Equal(DeviceType.CPU, Devices.parse("cpu").type);

    [Theory]
    [InlineData("gpu")]
    [InlineData("CUDA")]
    [InlineData("cpu:0")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData(" cpu")]
    [InlineData("")]
    public void ANameThatIsNoDeviceIsRejectedNamingTheParameter(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => Devices.parse(name));
        Assert.Equal("device", error.ParamName);
        Assert.StartsWith($"device = \"{name}\" names no device: use \"cpu\", \"cuda\" or \"cuda:N\"", error.Message);
    }

    [WithoutCudaFact]
    public void AskingForCudaWhereLibtorchHasNoneSaysHowToGetIt()
    {
        foreach (var name in new[] { "cuda", "cuda:0", "cuda:3" })
        {
            var error = Assert.Throws<ArgumentException>(() => Devices.parse(name));
            Assert.Equal("device", error.ParamName);
            Assert.StartsWith($"device = \"{name}\", but this libtorch has no CUDA", error.Message);
            Assert.Contains("build with -p:TorchBackend=cuda", error.Message);
            Assert.Contains("README, \"Using a GPU\"", error.Message);
        }
    }

    [Fact]
    public void AnImageBatchMovesItsImagesAndLabels()
    {
        using var scope = NewDisposeScope();
        var images = new ImageArray(new byte[6 * 2 * 3 * 3], 2, 3, 3, [0, 1, 1, 0, 1, 0], ["a", "b"]);
        var batch = new DataLoader(images, batch_size: 4, shuffle: true, prefetch: 0).batches(0).First();

        var moved = batch.to(META);

        Assert.Equal((DeviceType.META, DeviceType.META), (moved.Images.device_type, moved.Labels.device_type));
        Assert.Equal(batch.Images.shape, moved.Images.shape);
        Assert.Equal(batch.Labels.shape, moved.Labels.shape);
        Assert.Equal(batch.Indices, moved.Indices);
        Assert.Equal((DeviceType.CPU, DeviceType.CPU), (batch.Images.device_type, batch.Labels.device_type));
    }

    [Fact]
    public void ACompletionBatchMovesItsImagesAndLabels()
    {
        using var scope = NewDisposeScope();
        var batch = new CompletionBatch(zeros(2, 1, 4, 4), ones(2, 1, 4, 4), tensor(new long[] { 1, 0 }), [3, 5]);

        var moved = batch.to(META);

        Assert.Equal((DeviceType.META, DeviceType.META, DeviceType.META), (moved.partial.device_type, moved.full.device_type, moved.labels.device_type));
        Assert.Equal(batch.full.shape, moved.full.shape);
        Assert.Equal(batch.indices, moved.indices);
        Assert.Equal(DeviceType.CPU, batch.full.device_type);
    }

    [Fact]
    public void AStrokeBatchMovesItsRowsAndMaskAndKeepsItsLengthsOnTheHost()
    {
        using var scope = NewDisposeScope();
        var batch = StrokeBatch.FromStroke3([new Stroke3([1, 2, 0, 3, 4, 1]), new Stroke3([1, 1, 1])], nmax: 4);

        var moved = batch.to(META);

        Assert.Equal((DeviceType.META, DeviceType.META), (moved.Strokes.device_type, moved.Mask.device_type));
        Assert.Equal(batch.Strokes.shape, moved.Strokes.shape);
        Assert.Equal([2L, 1], moved.Lengths);
        Assert.Equal(DeviceType.CPU, batch.Strokes.device_type);
    }

    [Fact]
    public void MoveTakesTensorsBatchesAndTuplesOfThemAndLeavesOtherValuesAsTheyAre()
    {
        using var scope = NewDisposeScope();
        var strokes = StrokeBatch.FromStroke3([new Stroke3([1, 2, 1])]);
        int[] indices = [4, 7];

        var (x, (sketches, labels), kept) = Devices.move((randn(2, 3), (strokes, tensor(new long[] { 1 })), indices), META);
        var eight = Devices.move((zeros(1), zeros(1), zeros(1), zeros(1), zeros(1), zeros(1), zeros(1), zeros(1)), META);

        Assert.All([x, sketches.Strokes, sketches.Mask, labels], t => Assert.Equal(DeviceType.META, t.device_type));
        Assert.Same(indices, kept);
        Assert.Equal(DeviceType.META, Devices.move(zeros(1), META).device_type);
        Assert.All([eight.Item1, eight.Item7, eight.Item8], t => Assert.Equal(DeviceType.META, t.device_type));
    }

    /// <summary>The batches come from the CPU and the model is on meta: each step and each validation batch sees its batch there.</summary>
    [Fact]
    public void TheTrainerGivesEveryStepAndValidationItsBatchOnTheModelsDevice()
    {
        using var scope = NewDisposeScope();
        using var model = nn.Linear(3, 1).to(META);
        using var optimizer = optim.SGD(model.parameters(), 0.1);
        var seen = new List<(string where, DeviceType x, DeviceType y)>();
        Dictionary<string, Tensor> Record(string where, (Tensor x, Tensor y) batch)
        {
            seen.Add((where, batch.x.device_type, batch.y.device_type));
            return new() { ["loss"] = zeros(1) };
        }
        var trainer = new Trainer<(Tensor x, Tensor y)>(model, [optimizer], (batch, _) => Record("step", batch))
        {
            options = new TrainerOptions { epochs = 2, handle_ctrl_c = false },
            validation_step = (batch, _) => Record("validation", batch),
        };
        (Tensor, Tensor)[] batches = [(randn(4, 3), randn(4, 1)), (randn(2, 3), randn(2, 1))];

        trainer.fit(batches, validation: batches.Take(1));

        Assert.Equal(["step", "step", "validation", "step", "step", "validation"], seen.Select(s => s.where));
        Assert.All(seen, s => Assert.Equal((DeviceType.META, DeviceType.META), (s.x, s.y)));
        Assert.All(batches, b => Assert.Equal(DeviceType.CPU, b.Item1.device_type));
    }

    public static TheoryData<string> Models => ["ConvVae", "Cvae", "SplitVae", "DoodleCnn", "SketchRnn", "SketchRnn (timing, LayerNorm)", "SketchClassifier"];

    static nn.Module Build(string kind) => kind switch
    {
        "ConvVae" => new ConvVae(new ConvVaeConfig { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 }),
        "Cvae" => new Cvae(new CvaeConfig { image_size = 16, latent_dim = 4, encoder_channels = [4, 4, 8], decoder_channels = [4, 4] }),
        "SplitVae" => new SplitVae(new SplitVaeConfig { image_size = 16, latent_dim = 4, encoder_channels = [4, 8, 8], fc_size = 16, decoder_channels = [8, 4, 4] }),
        "DoodleCnn" => new DoodleCnn(2),
        "SketchRnn" => new SketchRnn(SketchTesting.Small),
        "SketchRnn (timing, LayerNorm)" => new SketchRnn(SketchTesting.SmallDoodler),
        "SketchClassifier" => new SketchClassifier(new SketchClassifierConfig { enc_rnn_size = 8, z_size = 4, hidden_size = 8, num_classes = 2, categories = null }),
        _ => throw new ArgumentException(kind, nameof(kind)),
    };

    /// <summary>module.to(device) moves what a module registered; a tensor it kept in a field of its own (a constant, say)
    /// would stay behind and meet the model's tensors on another device. The models also read their device from
    /// parameter fields (a decoder's weight), which must be the moved parameters.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void EveryTensorAModelHoldsMovesWithIt(string kind)
    {
        using var model = Build(kind).to(META);
        var held = model.modules().Prepend(model).SelectMany(module => module.GetType()
            .GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(field => (name: $"{module.GetType().Name}.{field.Name}", tensor: field.GetValue(module) as Tensor))
            .Where(f => f.tensor is not null)).ToList();

        Assert.NotEmpty(held);
        Assert.All(held, f => Assert.True(f.tensor!.device_type == DeviceType.META, $"{kind}: {f.name} stayed on {f.tensor.device}"));
    }
}
