using System.Diagnostics;
using System.Text.RegularExpressions;
using TorchSharp;
using VaeLab.Cli.Serve;
using VaeLab.Data.Doodles;
using VaeLab.Data.Strokes;
using VaeLab.Models;
using VaeLab.Models.Sketch;
using VaeLab.Training;
using static TorchSharp.torch;

namespace VaeLab.Cli.Tests;

/// <summary>
/// Small runs trained for a few steps in a temporary experiments folder, as the notebooks save theirs (cvae-completion's
/// full CVAE, sketch-predict's classifier with a draw model per class, doodle-classifier's CNN), and `vaelab serve` on
/// them in a child process on a free port of 127.0.0.1.
/// </summary>
public sealed partial class ServedRuns : IAsyncLifetime
{
    /// <summary>The classes of the sketch classifier; a zigzag is none of them.</summary>
    public static readonly DoodleShape[] Shapes = [DoodleShape.Circle, DoodleShape.Square, DoodleShape.Triangle];

    readonly string root = Directory.CreateTempSubdirectory("vaelab-serve-").FullName;
    Process? server;

    public string Experiments => Path.Combine(root, "experiments");
    public string CvaeRun { get; private set; } = "";
    public string PredictRun { get; private set; } = "";
    public string DoodleRun { get; private set; } = "";
    public Uri Root { get; private set; } = null!;
    public string Banner { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Experiments);
        manual_seed(0);
        var drawings = DrawingSplits.Split(SyntheticDoodles.Generate(20, 0, Shapes), seed: 0);
        CvaeRun = TrainCvae(drawings);
        PredictRun = TrainPredict(drawings);
        DoodleRun = TrainDoodleCnn();
        await StartServer();
    }

    string TrainCvae(DrawingSplits drawings)
    {
        var run = Run.start("cvae-completion", new { image_size = 16 }, experiments: Experiments);
        var config = new CvaeConfig { image_size = 16, latent_dim = 4, encoder_channels = [4, 8, 8], decoder_channels = [8, 4] };
        var model = new Cvae(config);
        var pairs = new CompletionPairs(drawings.Train.Select(e => e.Drawing).ToList(), drawings.Classes, RasterOptions.Seed000At(16));
        var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        foreach (var batch in pairs.batches(0, 16).Take(3))
            using (batch)
            {
                optimizer.zero_grad();
                model.losses(batch.full, batch.partial)["loss"].backward();
                optimizer.step();
            }
        run.save_model("full", model, config);
        run.finish();
        return run.id;
    }

    string TrainPredict(DrawingSplits drawings)
    {
        var run = Run.start("sketch-predict", new { rdp_epsilon = 1.0 }, experiments: Experiments);
        var sketches = drawings.ToStroke3(new SketchPreprocessing { MaxLength = 200, Epsilon = 1.0 });
        var config = new SketchClassifierConfig
        {
            enc_rnn_size = 16, z_size = 8, hidden_size = 16, num_classes = Shapes.Length, categories = [.. sketches.Classes], batch_size = 16,
            learning_rate = 3e-3,
        };
        var classifier = new SketchClassifier(config);
        classifier.trainer(new TrainerOptions { epochs = 2 }).fit(epoch => SketchBatches.prefixes(sketches.Train, config, epoch));
        run.save_model("classifier", classifier, config, sketches.Scale);
        for (var label = 0; label < sketches.Classes.Count; label++)
        {
            var drawConfig = new SketchRnnConfig
            {
                enc_rnn_size = 16, dec_rnn_size = 16, z_size = 8, num_mixture = 3, batch_size = 16, max_seq_len = sketches.LongestSketch,
            };
            var draw = new SketchRnn(drawConfig);
            draw.trainer(new TrainerOptions { epochs = 1 }).fit(epoch => SketchBatches.epoch(sketches.OfClass(label).TrainSketches, drawConfig, epoch));
            run.save_model($"draw-{sketches.Classes[label]}", draw, drawConfig, sketches.Scale);
        }
        run.finish();
        return run.id;
    }

    /// <summary>Seed 001's CNN has a fixed size (13 M weights); one step is enough to have a model file to serve.</summary>
    string TrainDoodleCnn()
    {
        var run = Run.start("doodle-classifier", experiments: Experiments);
        var config = new DoodleCnnConfig { num_classes = 2 };
        var model = new DoodleCnn(config);
        var optimizer = optim.Adam(model.parameters());
        using (var x = rand(4, 1, DoodleCnn.ImageSize, DoodleCnn.ImageSize))
        using (var y = tensor(new long[] { 0, 1, 0, 1 }))
            nn.functional.cross_entropy(model.call(x), y).backward();
        optimizer.step();
        run.save_model("model", model, config, new DoodleClasses(["circle", "square"]));
        run.finish();
        return run.id;
    }

    [GeneratedRegex(@"(http://127\.0\.0\.1:\d+)/")]
    private static partial Regex PageAddress();

    async Task StartServer()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "VaeLab.Cli.dll"), "serve", "--port", "0", "--experiments", Experiments })
            start.ArgumentList.Add(argument);
        server = Process.Start(start)!;
        var error = server.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await server.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || PageAddress().Match(line) is not { Success: true } match)
            throw new InvalidOperationException($"vaelab serve did not say where it listens: '{line}'; stderr: {(server.HasExited ? await error : "")}");
        Banner = line;
        Root = new Uri(match.Groups[1].Value + "/");
        // The rest of its output is drained, so that a full pipe never blocks the server.
        _ = server.StandardOutput.ReadToEndAsync();
    }

    /// <summary>Whether the server process is still running (it must survive every bad request).</summary>
    public bool ServerRunning => server is { HasExited: false };

    public Task DisposeAsync()
    {
        if (server is { HasExited: false }) server.Kill(entireProcessTree: true);
        server?.WaitForExit();
        server?.Dispose();
        Directory.Delete(root, recursive: true);
        return Task.CompletedTask;
    }
}
