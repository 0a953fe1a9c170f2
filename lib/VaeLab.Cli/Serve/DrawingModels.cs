using TorchSharp;
using VaeLab.Data.QuickDraw;
using VaeLab.Data.Strokes;
using VaeLab.Display;
using VaeLab.Models;
using VaeLab.Models.Sketch;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Cli.Serve;

/// <summary>A stroke the server draws: points in the units the answer states.</summary>
public sealed record StrokeOutput(float[] x, float[] y);

public sealed record CompleteResponse(string run, string model, int image_size, double threshold, string partial, string completion,
    string binarised, string[] samples);

public sealed record ClassScore(string name, double probability);

/// <summary>The top classes, the out-of-distribution flag, and the strokes the predicted class's draw model added, on the
/// request's 0-255 canvas (null without a draw model).</summary>
public sealed record ClassifyResponse(string run, string model, string kind, ClassScore[] classes, bool out_of_distribution, double threshold,
    string? draw_model, StrokeOutput[]? completion);

/// <summary>A drawing in the draw model's data units (its offsets times the data's scale), starting at the origin.</summary>
public sealed record SampleResponse(string run, string model, double temperature, int seed, StrokeOutput[] strokes);

/// <summary>
/// The models' answers to a drawing, with its inputs prepared as the notebooks prepare their data: seed 000's raster
/// for the CVAE, seed 003's simplified and normalised stroke-3 for the sketch classifier and its draw models, seed 001's
/// fitted 28x28 raster for the doodle CNN.
/// </summary>
static class DrawingModels
{
    /// <summary>Seed 000 binarises completions at 0.5 (the notebook's threshold).</summary>
    public const double BinariseThreshold = 0.5;

    /// <summary>Seed 003 calls a sketch out of distribution below this top probability; the doodle CNN's notebook has no rule of its own.</summary>
    public const double DoodleOodThreshold = 0.8;

    /// <summary>Seed 003 completes at temperature 0.1; samples default to the middle of sketch-rnn-draw's temperatures.</summary>
    public const double CompletionTemperature = 0.1, SampleTemperature = 0.4;

    public const int DefaultSamples = 4;

    public static CompleteResponse Complete(LoadedModel loaded, IReadOnlyList<Stroke> strokes, int samples)
    {
        var cvae = (Cvae)loaded.module;
        lock (loaded)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var partial = Raster.ToTensor(strokes, RasterOptions.Seed000At(cvae.config.image_size)).unsqueeze(0);
            var completion = cvae.sample(partial);
            var draws = cvae.sample(partial.expand(samples, -1, -1, -1), stochastic: true);
            return new CompleteResponse(loaded.run.id, loaded.name, cvae.config.image_size, BinariseThreshold, Png(partial)[0], Png(completion)[0],
                Png((completion > BinariseThreshold).to(float32))[0], Png(draws));
        }
    }

    static string[] Png(Tensor images) =>
        Image.FromBatch(images).Select(i => "data:image/png;base64," + Convert.ToBase64String(i.WithScale(1).ToPng())).ToArray();

    public static ClassifyResponse Classify(RunModels runs, LoadedModel loaded, IReadOnlyList<Stroke> strokes, int? k, double temperature, int seed) =>
        loaded.module switch
        {
            SketchClassifier classifier => Sketch(runs, loaded, classifier, strokes, k, temperature, seed),
            DoodleCnn cnn => Doodle(loaded, cnn, strokes, k),
            _ => throw new InvalidOperationException($"{loaded.info.model} does not classify"),
        };

    static ClassifyResponse Sketch(RunModels runs, LoadedModel loaded, SketchClassifier classifier, IReadOnlyList<Stroke> strokes, int? k,
        double temperature, int seed)
    {
        var config = classifier.config;
        if (config.timing) throw new RequestProblem(422, "The model cannot be used", $"{loaded.info.path} reads stroke-6 (timing); the page sends stroke-3 drawings");
        var scale = RunModels.Normaliser<StrokeScale>(loaded, "stroke scale");
        var epsilon = loaded.run.parameters?["rdp_epsilon"]?.GetValue<double>() ?? 0;
        var drawn = epsilon > 0 ? strokes.Select(s => StrokeSimplifier.Rdp(s, epsilon)).ToList() : strokes;
        var prefix = scale.Normalize(Stroke3.FromStrokes(drawn));
        SketchPrediction prediction;
        lock (loaded) prediction = classifier.predict([prefix], CheckK(k, config.num_classes))[0];
        var names = prediction.names ?? prediction.classes.Select(c => $"class {c}").ToArray();

        // The predicted class's draw model, saved by sketch-predict as draw-<category>, continues the drawing.
        var drawName = $"draw-{names[0]}";
        var draw = runs.Optional(loaded.run, drawName, "SketchRnn");
        StrokeOutput[]? completion = null;
        if (draw?.module is SketchRnn { config.timing: false } drawModel)
        {
            StrokeRows completed;
            lock (draw) completed = drawModel.complete([prefix], temperature: temperature, seed: seed)[0];
            completion = Output(scale.Denormalize(((Stroke5)completed).ToStroke3()).ToStrokes().Skip(drawn.Count));
        }
        return new ClassifyResponse(loaded.run.id, loaded.name, loaded.info.model,
            names.Select((name, i) => new ClassScore(name, prediction.probabilities[i])).ToArray(), prediction.out_of_distribution, config.ood_threshold,
            completion is null ? null : drawName, completion);
    }

    static ClassifyResponse Doodle(LoadedModel loaded, DoodleCnn cnn, IReadOnlyList<Stroke> strokes, int? k)
    {
        var classes = RunModels.Normaliser<DoodleClasses>(loaded, "class names").classes;
        if (classes.Length != cnn.num_classes)
            throw new RequestProblem(422, "The model cannot be used", $"{loaded.info.path} names {classes.Length} classes for a model of {cnn.num_classes}");
        double[] probabilities;
        lock (loaded)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var image = Raster.ToTensor(QuickDrawCanvas.Fit(strokes), RasterOptions.Seed001Classifier).unsqueeze(0);
            cnn.eval();
            probabilities = F.softmax(cnn.call(image), 1)[0].to(ScalarType.Float64).data<double>().ToArray();
        }
        var prediction = SketchPrediction.FromProbabilities(probabilities, CheckK(k, classes.Length), DoodleOodThreshold, classes);
        return new ClassifyResponse(loaded.run.id, loaded.name, loaded.info.model,
            prediction.names!.Select((name, i) => new ClassScore(name, prediction.probabilities[i])).ToArray(), prediction.out_of_distribution,
            DoodleOodThreshold, null, null);
    }

    static int CheckK(int? k, int classes) => k switch
    {
        null => Math.Min(3, classes),
        >= 1 when k <= classes => k.Value,
        _ => throw new RequestProblem(400, "Invalid k", $"k must be 1 to {classes}, the model's number of classes; got {k}"),
    };

    public static SampleResponse Sample(LoadedModel loaded, double temperature, int seed)
    {
        var model = (SketchRnn)loaded.module;
        var scale = RunModels.Normaliser<StrokeScale>(loaded, "stroke scale");
        StrokeRows drawn;
        lock (loaded) drawn = model.generate(1, temperature: temperature, seed: seed)[0];
        var rows = drawn switch { Stroke5 s => s.ToStroke3(), Stroke6 s => s.ToStroke3(), _ => throw new InvalidOperationException(drawn.GetType().Name) };
        return new SampleResponse(loaded.run.id, loaded.name, temperature, seed, Output(scale.Denormalize(rows).ToStrokes()));
    }

    static StrokeOutput[] Output(IEnumerable<Stroke> strokes) => strokes.Select(s => new StrokeOutput(s.X, s.Y)).ToArray();
}

/// <summary>The normaliser of a doodle classifier: its class names by label.</summary>
public sealed record DoodleClasses(string[] classes);
