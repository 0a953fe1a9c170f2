using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using VaeLab.Cli.Serve;
using VaeLab.Data.Strokes;
using VaeLab.Display;
using VaeLab.Models.Sketch;

namespace VaeLab.Cli.Tests;

/// <summary>
/// `vaelab serve` on small trained runs: a person drawing with the mouse in Debian's headless Chromium sees the CVAE's
/// completion, the classifier's classes with the out-of-distribution flag and its draw model's stroke-by-stroke replay;
/// scripts sending bad requests get problem details while the server goes on answering.
/// </summary>
public sealed class ServeTests(ServedRuns served) : IClassFixture<ServedRuns>
{
    /// <summary>Where the README's screenshot of the page is written.</summary>
    static readonly string Screenshot = Path.Combine(TestRepository.Root, "analysis", "figures", "serve.png");

    [Fact]
    public void TheServerSaysItListensOnThisMachineOnly()
    {
        Assert.Contains("only this machine can open it", served.Banner);
        Assert.StartsWith("http://127.0.0.1:", served.Root.ToString());
    }

    [Fact]
    public async Task DrawingWithTheMouseShowsTheCompletionTheClassesTheOodFlagAndTheReplay()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        await page.GotoAsync(served.Root.ToString());
        await page.WaitForSelectorAsync($"#run option[value='{served.CvaeRun}']", new() { State = WaitForSelectorState.Attached });

        // Asking before drawing anything shows the server's message on the page.
        await page.SelectOptionAsync("#run", served.CvaeRun);
        await page.ClickAsync("#complete");
        await Assertions.Expect(page.Locator("#message")).ToContainTextAsync("the drawing is empty");

        await Draw(page, Circle(128, 128, 70, 0, 1.2 * Math.PI), [(40, 200), (200, 200)]);
        await page.ClickAsync("#complete");
        await Assertions.Expect(page.Locator("#completion-images img")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#completion-samples img")).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator("#message")).ToBeHiddenAsync();
        // The images are the CVAE's 16x16 pixels, decoded by the browser from the PNGs the server made.
        Assert.Equal(16, await page.Locator("#completion-images img").Nth(1).EvaluateAsync<int>("i => i.decode().then(() => i.naturalWidth)"));

        // A zigzag is none of the classifier's shapes: it gets three classes, the flag, and a completion replayed stroke by stroke.
        await page.SelectOptionAsync("#run", served.PredictRun);
        await page.ClickAsync("#clear");
        await Draw(page, [(40, 80), (80, 180), (120, 80), (160, 180), (200, 80)]);
        await page.EvaluateAsync("""
            new MutationObserver(() => window.replayed.push(document.getElementById("replay").dataset.replayed))
                .observe(document.getElementById("replay"), { attributes: true, attributeFilter: ["data-replayed"] });
            """);
        // A draw model trained for a few steps often ends a drawing at once; each click draws with a new seed, until it adds two strokes.
        JsonNode answer;
        var tries = 0;
        do
        {
            await page.EvaluateAsync("window.replayed = []");
            var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#classify"), r => r.Url.EndsWith("/api/classify"));
            answer = JsonNode.Parse(await response.TextAsync())!;
            await page.WaitForFunctionAsync("window.replayed.length > 0 && document.getElementById('replay').dataset.state === 'done'",
                null, new() { Timeout = 30_000 });
        } while (answer["completion"]!.AsArray().Count < 2 && ++tries < 30);
        await Assertions.Expect(page.Locator("#classes li")).ToHaveCountAsync(3);
        var top = answer["classes"]![0]!;
        await Assertions.Expect(page.Locator("#classes li").First).ToContainTextAsync($"{(string)top["name"]!} {(double)top["probability"]!:0.000}");
        Assert.True((bool)answer["out_of_distribution"]!);
        await Assertions.Expect(page.Locator("#ood")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#ood")).ToContainTextAsync("Out of distribution");
        var drawn = answer["completion"]!.AsArray().Count;
        Assert.True(drawn >= 2, $"the draw model added {drawn} strokes (the replay needs two to show its order): {answer}");
        var replayed = await page.EvaluateAsync<string[]>("window.replayed");
        Assert.Equal(Enumerable.Range(0, drawn + 1).Select(i => i.ToString()), replayed.Distinct());

        await page.ClickAsync("#sample");
        await Assertions.Expect(page.Locator("#sample-canvas")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 30_000 });
        Assert.Empty(errors);
        Directory.CreateDirectory(Path.GetDirectoryName(Screenshot)!);
        await page.ScreenshotAsync(new() { Path = Screenshot, FullPage = true });
    }

    [Fact]
    public async Task BadRequestsGetProblemDetailsAndTheServerKeepsServing()
    {
        using var http = new HttpClient { BaseAddress = served.Root };
        var circle = new[] { new { x = new[] { 10.0, 50, 90 }, y = new[] { 10.0, 60, 10 } } };

        await Problem(http, "api/complete", new { run = served.CvaeRun, strokes = Array.Empty<object>() }, 400, "the drawing is empty");
        await Problem(http, "api/complete", Raw("{\"run\": \"x\", \"strokes\": [", "application/json"), 400, "the body is not a drawing request");
        await Problem(http, "api/complete", Raw("{\"run\": \"x\", \"strokez\": []}", "application/json"), 400, "strokez");
        await Problem(http, "api/complete", Raw("run=x", "text/plain"), 415, "application/json");
        await Problem(http, "api/complete", Raw($"{{\"run\": \"{new string('x', 300_000)}\"}}", "application/json"), 413, "larger than");
        var many = Enumerable.Range(0, 2001).Select(i => (double)(i % 256)).ToArray();
        await Problem(http, "api/complete", new { run = served.CvaeRun, strokes = new[] { new { x = many, y = many } } }, 400, "2001 points");
        await Problem(http, "api/complete", Raw($"{{\"run\": \"{served.CvaeRun}\", \"strokes\": [{{\"x\": [1, \"NaN\"], \"y\": [1, 2]}}]}}", "application/json"),
            400, "strokes[0].x[1] is NaN");
        await Problem(http, "api/complete", Raw($"{{\"run\": \"{served.CvaeRun}\", \"strokes\": [{{\"x\": [1, 2], \"y\": [1, null]}}]}}", "application/json"),
            400, "strokes[0].y[1] is missing");
        await Problem(http, "api/complete", new { run = "20990101-000000-abcdef", strokes = circle }, 404, "no run 20990101-000000-abcdef");
        await Problem(http, "api/classify", new { run = served.CvaeRun, strokes = circle }, 422, "cannot classify");
        await Problem(http, "api/sample", new { run = served.DoodleRun }, 422, "cannot sample");
        await Problem(http, "api/complete", new { run = Path.GetTempPath(), strokes = circle }, 400, "is not a run folder");
        var outside = Path.Combine(Path.GetTempPath(), $"vaelab-serve-{Guid.NewGuid():N}.safetensors");
        File.Copy(Path.Combine(ModelsOf(served.CvaeRun), "full.safetensors"), outside);
        try
        {
            await Problem(http, "api/complete", new { run = outside, strokes = circle }, 400, "outside the runs folder");
        }
        finally
        {
            File.Delete(outside);
        }
        await Problem(http, "api/sample", new { run = served.PredictRun, temperature = 0 }, 400, "temperature must be above 0");

        Assert.True(served.ServerRunning);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("")).StatusCode);
        var completed = await http.PostAsJsonAsync("api/complete", new { run = served.CvaeRun, strokes = circle, samples = 2 });
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        Assert.Equal(2, (await completed.Content.ReadFromJsonAsync<JsonObject>())!["samples"]!.AsArray().Count);
        var doodle = await http.PostAsJsonAsync("api/classify", new { run = served.DoodleRun, strokes = circle, k = 2 });
        var classes = (await doodle.Content.ReadFromJsonAsync<JsonObject>())!["classes"]!.AsArray();
        Assert.Equal(["circle", "square"], classes.Select(c => (string)c!["name"]!).Order());
        Assert.Equal(1.0, classes.Sum(c => (double)c!["probability"]!), 1e-6);
    }

    [Fact]
    public void TheDrawModelsStrokesContinueTheDrawingOnItsCanvas()
    {
        using var runs = new RunModels(served.Experiments);
        var run = runs.Run(served.PredictRun, out var file);
        var classifier = runs.Model(run, file, null, "classify");
        Stroke[] drawing = [new([40, 80, 120, 160], [80, 180, 80, 180]), new([60, 200], [220, 220])];
        // The first seed with which the draw model adds something.
        var (seed, answer) = Enumerable.Range(0, 50).Select(s => (s, DrawingModels.Classify(runs, classifier, drawing, null, 0.4, s)))
            .First(a => a.Item2.completion!.Length > 0);

        // The reference: the library's drawing of the completed sequence, denormalised, its rows after the prefix highlighted.
        var scale = classifier.info.normaliser_as<StrokeScale>();
        var prefix = scale.Normalize(Stroke3.FromStrokes(drawing.Select(s => StrokeSimplifier.Rdp(s, 1.0))));
        using var draw = SavedModel.load<SketchRnn>(Path.Combine(ModelsOf(served.PredictRun), answer.draw_model + ".safetensors"));
        var completed = draw.complete([prefix], temperature: 0.4, seed: seed)[0];
        var reference = completed.ToStrokeDrawing(scale: scale, highlightFrom: prefix.Length).Strokes.Where(s => s.Color is not null).ToList();
        Assert.Equal(reference.Count, answer.completion!.Length);
        foreach (var (expected, actual) in reference.Zip(answer.completion))
        {
            Assert.Equal(expected.X, actual.x.Select(v => (double)v), new Tolerance(1e-3));
            Assert.Equal(expected.Y, actual.y.Select(v => (double)v), new Tolerance(1e-3));
        }
    }

    sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double value) => 0;
    }

    string ModelsOf(string run) => Directory.GetDirectories(served.Experiments, run, SearchOption.AllDirectories).Single() + "/models";

    static HttpContent Raw(string body, string mediaType) => new StringContent(body, Encoding.UTF8, mediaType);

    static async Task Problem(HttpClient http, string path, object body, int status, string detail)
    {
        using var response = await http.PostAsync(path, body as HttpContent ?? JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{path}: expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]), text);
        Assert.Contains(detail, (string?)problem["detail"] ?? "");
    }

    static (double x, double y)[] Circle(double cx, double cy, double r, double from, double to) =>
        Enumerable.Range(0, 25).Select(i => from + (to - from) * i / 24).Select(a => (cx + r * Math.Cos(a), cy + r * Math.Sin(a))).ToArray();

    /// <summary>Draws strokes with the mouse, points given on the page's 0-255 canvas.</summary>
    static async Task Draw(IPage page, params (double x, double y)[][] strokes)
    {
        var box = (await page.Locator("#canvas").BoundingBoxAsync())!;
        (float, float) At((double x, double y) p) => ((float)(box.X + p.x / 256 * box.Width), (float)(box.Y + p.y / 256 * box.Height));
        foreach (var stroke in strokes)
        {
            var (x0, y0) = At(stroke[0]);
            await page.Mouse.MoveAsync(x0, y0);
            await page.Mouse.DownAsync();
            foreach (var point in stroke.Skip(1))
            {
                var (x, y) = At(point);
                await page.Mouse.MoveAsync(x, y, new() { Steps = 4 });
            }
            await page.Mouse.UpAsync();
        }
    }
}
