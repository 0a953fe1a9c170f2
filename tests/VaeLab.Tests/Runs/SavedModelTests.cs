using VaeLab.Data;

namespace VaeLab.Tests.Runs;

[Collection(TrainingSerial.Name)]
public sealed class SavedModelTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-saved-model-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string File(string name) => Path.Combine(folder, name);

    static StrokeBatch Strokes(bool timing) => SketchBatches.to_batch(
        timing ? SketchTesting.TimedSketches(3).Cast<StrokeRows>().ToList() : SketchTesting.Sketches(3).Cast<StrokeRows>().ToList(), timing, 12);

    /// <summary>A small model of each kind with its config, and its output on a fixed input (the generator seeded first,
    /// for the models that draw z).</summary>
    public static TheoryData<string> Kinds => ["ConvVae", "Cvae", "SplitVae", "SketchRnn", "SketchRnn (timing, LayerNorm)", "SketchClassifier", "DoodleCnn"];

    static (nn.Module model, object config, Func<nn.Module, Tensor> output) Build(string kind)
    {
        switch (kind)
        {
            case "ConvVae":
            {
                var c = new ConvVaeConfig { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 };
                var x = rand(2, 1, 16, 16);
                return (new ConvVae(c), c, m => ((ConvVae)m).call(x).x_hat);
            }
            case "Cvae":
            {
                var c = CvaeConfig.DecoderZ with { image_size = 16, latent_dim = 4, encoder_channels = [4, 4, 8], decoder_channels = [4, 4] };
                var (x, y) = (rand(2, 1, 16, 16), rand(2, 1, 16, 16));
                return (new Cvae(c), c, m => ((Cvae)m).call(x, y).x_logits);
            }
            case "SplitVae":
            {
                var c = new SplitVaeConfig { image_size = 16, latent_dim = 4, encoder_channels = [4, 8, 8], fc_size = 16, decoder_channels = [8, 4, 4] };
                var x = rand(2, 3, 16, 16);
                return (new SplitVae(c), c, m => ((SplitVae)m).call(x).x_hat);
            }
            case "SketchRnn":
            case "SketchRnn (timing, LayerNorm)":
            {
                var c = kind == "SketchRnn" ? SketchTesting.Small : SketchTesting.SmallDoodler;
                var batch = Strokes(c.timing);
                return (new SketchRnn(c), c, m => ((SketchRnn)m).call(batch).mixture.mu_x);
            }
            case "SketchClassifier":
            {
                var c = new SketchClassifierConfig { enc_rnn_size = 8, z_size = 4, hidden_size = 8, num_classes = 2, categories = ["sun", "moon"] };
                var batch = Strokes(false);
                return (new SketchClassifier(c), c, m => ((SketchClassifier)m).call(batch));
            }
            case "DoodleCnn":
            {
                var c = new DoodleCnnConfig { num_classes = 3, dropout = 0.5 };
                var x = rand(2, 1, 28, 28);
                return (new DoodleCnn(c), c, m => ((DoodleCnn)m).call(x));
            }
            default:
                throw new ArgumentException(kind, nameof(kind));
        }
    }

    static Tensor Output(nn.Module model, Func<nn.Module, Tensor> output)
    {
        model.eval();
        manual_seed(3);
        using (no_grad()) return output(model);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ALoadedModelIsBuiltFromItsConfigAndGivesTheSameOutputs(string kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var (model, config, output) = Build(kind);
        // Batch norms' running statistics are buffers the file must carry too: a training pass moves them off their start.
        model.train();
        using (no_grad()) output(model);
        var path = File("model.safetensors");

        SavedModel.save(path, model, config, new { scale = 0.25 });
        using var loaded = SavedModel.load(path);

        Assert.IsType(model.GetType(), loaded);
        Assert.False(loaded.training);
        TensorAssert.Identical(Output(model, output), Output(loaded, output), kind);
        var info = SavedModel.info(path);
        Assert.Equal(model.GetType().Name, info.model);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(config), System.Text.Json.JsonSerializer.Serialize(info.config));
        Assert.Equal(0.25, (double)info.normaliser!["scale"]!);
    }

    [Fact]
    public void TheFileIsAPlainStateDictWithItsDescriptionInTheMetadata()
    {
        using var scope = NewDisposeScope();
        var config = new CvaeConfig { image_size = 8, latent_dim = 2, encoder_channels = [2, 2, 2], decoder_channels = [2, 2] };
        using var model = new Cvae(config);
        var path = File("cvae.safetensors");

        SavedModel.save(path, model, config);

        var metadata = safetensors.read_metadata(path);
        Assert.Equal("Cvae", metadata["vaelab.model"]);
        Assert.Contains("\"likelihood\":\"ContinuousBernoulli\"", metadata["vaelab.config"]);
        Assert.DoesNotContain("bottleneck_size", metadata["vaelab.config"]);
        Assert.False(metadata.ContainsKey("vaelab.normaliser"));
        Assert.Equal(model.state_dict().Keys.Order(), safetensors.load_file(path).Keys.Order());
    }

    [Fact]
    public void WeightsOfAnotherShapeAreRefusedNamingTheFileAndEachKey()
    {
        using var scope = NewDisposeScope();
        var small = new ConvVaeConfig { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 };
        using var model = new ConvVae(small);
        var path = File("model.safetensors");
        SavedModel.save(path, model, small);
        // The file's config says latent 8 while its tensors hold latent 4, as a file edited by hand or by another tool would.
        var tensors = safetensors.load_file(path);
        var metadata = safetensors.read_metadata(path);
        metadata["vaelab.config"] = metadata["vaelab.config"].Replace("\"latent_dim\":4", "\"latent_dim\":8");
        safetensors.save_file(tensors, path, metadata);

        var error = Assert.Throws<ArgumentException>(() => SavedModel.load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("encoder.proj_mu.weight is [4, 32] where the model has [8, 32]", error.Message);
        Assert.Contains("decoder.lin1.weight is [32, 4] where the model has [32, 8]", error.Message);
    }

    [Fact]
    public void AFileWithoutADescriptionIsRefusedAsNotAVaeLabModel()
    {
        using var scope = NewDisposeScope();
        var path = File("plain.safetensors");
        safetensors.save_file(new Dictionary<string, Tensor> { ["w"] = zeros(2) }, path);

        var error = Assert.Throws<DataFormatException>(() => SavedModel.load(path));

        Assert.Equal(path, error.File);
        Assert.Equal("vaelab.model", error.Location);
    }

    [Fact]
    public void AConfigWithAnUnknownFieldIsRefusedNamingTheField()
    {
        using var scope = NewDisposeScope();
        var path = File("model.safetensors");
        safetensors.save_file(new Dictionary<string, Tensor> { ["w"] = zeros(2) }, path,
            new Dictionary<string, string> { ["vaelab.model"] = "DoodleCnn", ["vaelab.config"] = """{"num_classes":3,"width":5}""" });

        var error = Assert.Throws<DataFormatException>(() => SavedModel.load(path));

        Assert.Equal("vaelab.config", error.Location);
        Assert.Contains("width", error.Message);
    }

    [Fact]
    public void LoadOfTypeRefusesAnotherModelClass()
    {
        using var scope = NewDisposeScope();
        using var model = new DoodleCnn(2);
        var path = File("doodle.safetensors");
        SavedModel.save(path, model, model.config);

        var error = Assert.Throws<ArgumentException>(() => SavedModel.load<ConvVae>(path));

        Assert.Contains($"{path} holds a DoodleCnn, not a ConvVae", error.Message);
        using var typed = SavedModel.load<DoodleCnn>(path);
        Assert.Equal(2, typed.num_classes);
    }

    [Fact]
    public void SavingWithAConfigOtherThanTheModelsIsRefused()
    {
        using var scope = NewDisposeScope();
        using var model = new DoodleCnn(2);

        var other = Assert.Throws<ArgumentException>(() => SavedModel.save(File("a.safetensors"), model, new DoodleCnnConfig { num_classes = 3 }));
        var wrongType = Assert.Throws<ArgumentException>(() => SavedModel.save(File("b.safetensors"), model, new ConvVaeConfig()));

        Assert.Contains("not the one the DoodleCnn was built with", other.Message);
        Assert.Contains("a DoodleCnn is described by a DoodleCnnConfig, not a ConvVaeConfig", wrongType.Message);
        Assert.False(System.IO.File.Exists(File("a.safetensors")));
    }
}
