using System.Text.Json;
using System.Text.Json.Serialization;
using VaeLab.Tests.Torch;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Tests.Models;

/// <summary>
/// Every model's whole forward pass, its losses, and its training-mode pass (batch statistics, dropout, the BatchNorm
/// buffers after it) against PyTorch 1.13 (forward.json, from gen_forward.py). The models run in float64 on the recorded
/// weights, as the script does, and draw their noise after manual_seed(args.seed) as it does: libtorch 2.10 draws the
/// same float64 normals and dropout masks, so the noise is the recorded one and every output can be compared.
/// </summary>
[Collection(TrainingSerial.Name)]
public class ForwardTests
{
    /// <summary>Seed 004's conv VAE and seed 002's split VAE: the same entry points, under their seeds' names.</summary>
    [Theory]
    [InlineData("conv_vae")]
    [InlineData("split_vae")]
    public void ImageVaeMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var f = new ForwardCase(name);
        // The seeds name the log-variance and the output differently, and so do the fixtures.
        var (model, losses, logVarName, outputName) = name == "conv_vae"
            ? Of(f.Load(new ConvVae(f.Config<ConvVaeConfig>())))
            : Of(f.Load(new SplitVae(f.Config<SplitVaeConfig>())));
        var x = f.Input("x");
        using (no_grad())
        {
            manual_seed(f.seed);
            var (x_hat, mu, log_var) = model.call(x);
            f.ExpectDraw("", mu, log_var, logVarName);
            f.Expect(outputName, x_hat);
            f.ExpectLosses("", () => losses(x, f.Arg("kl_weight")));
            f.Expect("decoded", model.decode(f.Input("z")));
            manual_seed((long)f.Arg("z_seed"));
            f.Expect("decoded", model.sample(x.size(0)));

            model.train();
            manual_seed(f.seed);
            (x_hat, mu, log_var) = model.call(x);
            f.ExpectDraw("train.", mu, log_var, logVarName);
            f.Expect("train." + outputName, x_hat);
            f.ExpectBuffersAfter(model);
        }
        f.ExpectAllCompared();
    }

    static (Vae, Func<Tensor, double, Dictionary<string, Tensor>>, string, string) Of(ConvVae m) => (m, m.losses, "log_var", "x_hat");
    static (Vae, Func<Tensor, double, Dictionary<string, Tensor>>, string, string) Of(SplitVae m) => (m, m.losses, "logvar", "x_tilde");

    [Theory]
    [InlineData("cvae")]
    [InlineData("cvae_decoder_z")]
    public void CvaeMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var f = new ForwardCase(name);
        var model = f.Load(new Cvae(f.Config<CvaeConfig>()));
        var (x, y) = (f.Input("x"), f.Input("y"));
        using (no_grad())
        {
            manual_seed(f.seed);
            var (z, mu_p, log_var_p, mu_q, log_var_q, x_logits) = model.call(x, y);
            f.Expect("mu_p", mu_p);
            f.Expect("logvar_p", log_var_p);
            f.Expect("mu_q", mu_q);
            f.Expect("logvar_q", log_var_q);
            f.ExpectNoise("", z, mu_q, log_var_q);
            f.Expect("x_logits", x_logits);
            f.ExpectLosses("", () => model.losses(x, y, f.Arg("beta")));
            f.Expect("sample", model.sample(y));
        }
        f.ExpectAllCompared();
    }

    /// <summary>magenta's model (seed 003), seed 001's timing-aware model with LayerNorm cells, and the unconditional decoder.</summary>
    [Theory]
    [InlineData("sketch_rnn")]
    [InlineData("sketch_rnn_doodler")]
    [InlineData("sketch_rnn_unconditional")]
    public void SketchRnnMatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var f = new ForwardCase(name);
        var config = f.Config<SketchRnnConfig>();
        var model = f.Load(new SketchRnn(config));
        using var batch = f.StrokeBatch(config.timing);
        TensorAssert.Identical(f.Input("mask"), batch.Mask, "mask");
        var kl_weight = f.Arg("kl_weight");
        using (no_grad())
        {
            manual_seed(f.seed);
            var (mixture, mu, log_var, z) = model.call(batch);
            if (config.conditional)
            {
                f.Expect("mu", mu!);
                f.Expect("logvar", log_var!);
                f.ExpectNoise("", z!, mu!, log_var!);
            }
            var (h0, c0) = model.decoder.initial_state(z, batch.Strokes.size(0));
            var (output, (h_n, c_n)) = model.decoder.run(batch.Strokes.to(float64)[.., ..^1], z, (h0, c0));
            f.Expect("h0", h0);
            f.Expect("c0", c0);
            f.Expect("output", output);
            f.Expect("h_n", h_n);
            f.Expect("c_n", c_n);
            f.Expect("raw", F.linear(output, model.decoder.fc_params.weight, model.decoder.fc_params.bias));
            f.ExpectMixture(mixture);

            f.ExpectLosses("", () => model.losses(batch, kl_weight));
            model.train();
            f.ExpectLosses("train.", () => model.losses(batch, kl_weight));
        }
        f.ExpectAllCompared();
    }

    [Fact]
    public void SketchClassifierMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var f = new ForwardCase("sketch_classifier");
        var config = f.Config<SketchClassifierConfig>() with { categories = null };
        var model = f.Load(new SketchClassifier(config));
        using var batch = f.StrokeBatch(config.timing);
        var labels = f.Input("labels").to(int64);
        using (no_grad())
        {
            var (mu, log_var) = model.encoder.call(batch.Strokes.to(float64)[.., 1..], batch.Lengths);
            f.Expect("mu", mu);
            f.Expect("logvar", log_var);
            f.Expect("logits", model.call(batch));
            f.ExpectLosses("", () => model.losses(batch, labels));
            var predictions = model.predict(f.Sketches(config.timing), k: config.num_classes);
            var probabilities = predictions.Select(p => p.classes.Zip(p.probabilities).OrderBy(c => c.First).Select(c => c.Second)).SelectMany(row => row);
            f.Expect("probabilities", tensor(probabilities.ToArray(), [predictions.Count, config.num_classes]));

            model.train();
            manual_seed(f.seed);
            f.Expect("train.logits", model.call(batch));
            manual_seed(f.seed);
            f.Expect("train.loss", model.losses(batch, labels)["loss"]);
        }
        f.ExpectAllCompared();
    }

    /// <summary>Seed 001's CNN, on weights generated as gen_forward.py generates them (13M are too many to record).</summary>
    [Fact]
    public void DoodleCnnMatchesPyTorch()
    {
        using var scope = NewDisposeScope();
        var f = new ForwardCase("doodle_cnn");
        var model = new DoodleCnn((long)f.Arg("num_classes"), f.Arg("dropout")).to(float64);
        var shapes = model.state_dict().ToDictionary(e => e.Key, e => e.Value.shape);
        var recipe = f.ArgJson("generated").EnumerateArray()
            .Select(r => (key: r[0].GetString()!, scale: r[1].GetDouble(), offset: r[2].GetDouble())).ToList();
        manual_seed(f.seed);
        var state = recipe.ToDictionary(r => r.key, r => randn(shapes[r.key], float32).to(float64) * r.scale + r.offset);
        f.Expect("generated_sums", stack(recipe.Select(r => state[r.key].sum())));
        foreach (var key in shapes.Keys.Except(state.Keys).ToList()) state[key] = f.Input($"state.{key}");
        model.load_weights(state);
        var x = f.Input("x");
        using (no_grad())
        {
            model.eval();
            f.Expect("logits", model.call(x));

            model.train();
            manual_seed(f.seed + 1);
            f.Expect("train.logits", model.call(x));
            f.ExpectBuffersAfter(model);
        }
        f.ExpectAllCompared();
    }
}

/// <summary>One case of forward.json, with a record of which outputs a test compared, so that it compares them all.</summary>
sealed class ForwardCase(string name)
{
    // Both sides compute in float64 from float32-exact weights and inputs, so what differs is only how two libtorch
    // versions' kernels round (summation order, vectorised exp, log and tanh): at most 1e-14 on these values of order 1,
    // which these bounds allow a hundred times over. A float32 run could not reproduce the recorded float64 noise.
    const double Rtol = 1e-10;
    const double Atol = 1e-12;

    static readonly JsonSerializerOptions ConfigJson = new() { Converters = { new JsonStringEnumConverter() } };

    readonly RecordedFixture fixture = RecordedFixture.Load("forward.json", name);
    readonly HashSet<string> compared = [];

    public long seed => (long)Arg("seed");
    public double Arg(string key) => fixture.Arg(key);
    public JsonElement ArgJson(string key) => fixture.ArgJson(key);
    public Tensor Input(string key) => fixture.Input(key);

    /// <summary>The model's config: args holds it under the config's property names.</summary>
    public T Config<T>() => fixture.Args.Deserialize<T>(ConfigJson)!;

    /// <summary>The model in float64 and eval mode with the recorded state_dict, every key present and of the same shape.</summary>
    public T Load<T>(T model) where T : nn.Module
    {
        model.to(float64);
        var keys = ArgJson("state_keys").EnumerateArray().Select(k => k.GetString()!);
        model.load_weights(keys.ToDictionary(k => k, k => Input($"state.{k}")));
        model.eval();
        return model;
    }

    /// <summary>args.sequences as the model reads them (stroke-3 sketches, or stroke-6 with timing).</summary>
    public List<StrokeRows> Sketches(bool timing) => ArgJson("sequences").EnumerateArray()
        .Select(rows => rows.EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => v.GetSingle())).ToArray())
        .Select(data => timing ? (StrokeRows)new Stroke6(data) : new Stroke3(data))
        .ToList();

    /// <summary>args.sequences padded to args.nmax (or to the longest), checked against the recorded strokes.</summary>
    public StrokeBatch StrokeBatch(bool timing)
    {
        int? nmax = fixture.Args.TryGetProperty("nmax", out var padded) ? padded.GetInt32() : null;
        var batch = SketchBatches.to_batch(Sketches(timing), timing, nmax);
        TensorAssert.Identical(Input("strokes"), batch.Strokes, "strokes");
        return batch;
    }

    public void Expect(string output, Tensor actual)
    {
        TensorAssert.Close(fixture.Output(output), actual, Rtol, Atol, $"{name}: {output}");
        compared.Add(output);
    }

    /// <summary>The encoder's outputs and the reparameterised draw, which is the first draw after the seed in every model.</summary>
    public void ExpectDraw(string prefix, Tensor mu, Tensor log_var, string log_var_name)
    {
        Expect(prefix + "mu", mu);
        Expect(prefix + log_var_name, log_var);
        manual_seed(seed);
        ExpectNoise(prefix, Gaussian.reparameterize(mu, log_var), mu, log_var);
    }

    /// <summary>z, and the noise eps = (z - mu) / sigma it was drawn with.</summary>
    public void ExpectNoise(string prefix, Tensor z, Tensor mu, Tensor log_var)
    {
        Expect(prefix + "z", z);
        Expect(prefix + "eps", (z - mu) / (0.5 * log_var).exp());
    }

    public void ExpectLosses(string prefix, Func<Dictionary<string, Tensor>> losses)
    {
        manual_seed(seed);
        foreach (var (key, value) in losses()) Expect(prefix + key, value);
    }

    public void ExpectMixture(Mixture mixture)
    {
        Expect("pi_logits", mixture.pi_logits);
        Expect("mu_x", mixture.mu_x);
        Expect("mu_y", mixture.mu_y);
        Expect("sigma_x", mixture.sigma_x);
        Expect("sigma_y", mixture.sigma_y);
        Expect("rho", mixture.rho);
        Expect("pen_logits", mixture.pen_logits);
        Assert.Equal(mixture.temporal, fixture.OutputNames.Contains("mu_t"));
        if (!mixture.temporal) return;
        Expect("mu_t", mixture.mu_t!);
        Expect("sigma_t", mixture.sigma_t!);
    }

    /// <summary>after.{key}: each BatchNorm buffer after the training-mode pass.</summary>
    public void ExpectBuffersAfter(nn.Module model)
    {
        var state = model.state_dict();
        foreach (var output in fixture.OutputNames.Where(o => o.StartsWith("after.")))
            Expect(output, state[output["after.".Length..]]);
    }

    public void ExpectAllCompared() => Assert.Equal(fixture.OutputNames.Order(), compared.Order());
}
