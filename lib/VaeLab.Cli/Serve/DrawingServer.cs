using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VaeLab.Cli.Serve;

/// <summary>
/// The drawing page and its JSON API: GET /api/runs, POST /api/complete, /api/classify and /api/sample. A request the
/// server cannot answer gets RFC 7807 problem details (400 invalid, 404 missing run, 413 too large, 415 not JSON,
/// 422 a run of the wrong kind, 500 a bug), and the server goes on serving.
/// </summary>
static class DrawingServer
{
    public static WebApplication Build(IPAddress address, int port, RunModels runs)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        // The command prints what matters; ASP.NET's per-request logs would bury it.
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = DrawingLimits.MaxBodyBytes;
            kestrel.Listen(address, port);
        });
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = DrawingLimits.Json.NumberHandling);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        app.MapGet("/", () => Page("index.html", "text/html; charset=utf-8"));
        app.MapGet("/app.js", () => Page("app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => Page("app.css", "text/css; charset=utf-8"));
        app.MapGet("/api/runs", () => Results.Ok(new { experiments = runs.Experiments, runs = runs.List() }));
        app.MapPost("/api/complete", (HttpRequest http) => Answer(http, request =>
        {
            var samples = request.samples ?? DrawingModels.DefaultSamples;
            if (samples is < 1 or > DrawingLimits.MaxSamples)
                throw new RequestProblem(400, "Invalid samples", $"samples must be 1 to {DrawingLimits.MaxSamples}; got {samples}");
            var strokes = Strokes(request);
            var run = runs.Run(request.run, out var file);
            return DrawingModels.Complete(runs.Model(run, file, request.model, "complete"), strokes, samples);
        }));
        app.MapPost("/api/classify", (HttpRequest http) => Answer(http, request =>
        {
            var temperature = Temperature(request, DrawingModels.CompletionTemperature);
            var strokes = Strokes(request);
            var run = runs.Run(request.run, out var file);
            return DrawingModels.Classify(runs, runs.Model(run, file, request.model, "classify"), strokes, request.k, temperature, request.seed ?? 0);
        }));
        app.MapPost("/api/sample", (HttpRequest http) => Answer(http, request =>
        {
            var temperature = Temperature(request, DrawingModels.SampleTemperature);
            var run = runs.Run(request.run, out var file);
            return DrawingModels.Sample(runs.Model(run, file, request.model, "sample"), temperature, request.seed ?? 0);
        }));
        return app;
    }

    static IResult Page(string name, string contentType)
    {
        using var resource = typeof(DrawingServer).Assembly.GetManifestResourceStream("page/" + name)
                             ?? throw new InvalidOperationException($"the page's {name} is not embedded in {typeof(DrawingServer).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        resource.CopyTo(copy);
        return Results.Bytes(copy.ToArray(), contentType);
    }

    /// <summary>Reads the body as a <see cref="DrawingRequest"/> and answers it; whatever is wrong with the request becomes problem details.</summary>
    static async Task<IResult> Answer<T>(HttpRequest http, Func<DrawingRequest, T> answer)
    {
        if (!http.HasJsonContentType())
            return Results.Problem(statusCode: 415, title: "Not JSON", detail: $"send the request as application/json, not '{http.ContentType}'");
        DrawingRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<DrawingRequest>(http.Body, DrawingLimits.Json, http.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.Problem(statusCode: 400, title: "Malformed request", detail: $"the body is not a drawing request: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Results.Problem(statusCode: 413, title: "Request too large", detail: $"the body is larger than the {DrawingLimits.MaxBodyBytes} bytes a request may have");
        }
        if (request is null) return Results.Problem(statusCode: 400, title: "Malformed request", detail: "the body is JSON null, not a drawing request");
        try
        {
            return Results.Ok(answer(request));
        }
        catch (InvalidStrokes e)
        {
            return Results.ValidationProblem(e.Errors, title: "The drawing cannot be used", detail: string.Join("; ", e.Errors.Select(p => $"{p.Key} {p.Value[0]}")));
        }
        catch (RequestProblem e)
        {
            return Results.Problem(statusCode: e.Status, title: e.Title, detail: e.Message);
        }
    }

    static IReadOnlyList<Data.Strokes.Stroke> Strokes(DrawingRequest request)
    {
        var (strokes, errors) = DrawingLimits.Strokes(request.strokes);
        return errors.Count == 0 ? strokes : throw new InvalidStrokes(errors);
    }

    static double Temperature(DrawingRequest request, double fallback)
    {
        var temperature = request.temperature ?? fallback;
        return temperature is > 0 and <= DrawingLimits.MaxTemperature ? temperature
            : throw new RequestProblem(400, "Invalid temperature", $"temperature must be above 0 and at most {DrawingLimits.MaxTemperature}; got {temperature}");
    }

    sealed class InvalidStrokes(Dictionary<string, string[]> errors) : Exception("invalid strokes")
    {
        public Dictionary<string, string[]> Errors { get; } = errors;
    }
}
