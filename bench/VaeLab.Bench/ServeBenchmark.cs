using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using VaeLab.Cli.Serve;
using VaeLab.Models;
using VaeLab.Runs;

namespace VaeLab.Bench;

/// <summary>
/// `vaelab serve` answering a completion over HTTP on 127.0.0.1, which has no PyTorch counterpart: a 200-point sketch
/// (five strokes) completed by cvae-completion's default CVAE (32x32, widths 8-16-32 and 16-8, latent 32) with four
/// samples, the PNGs encoded, as the page asks for it.
/// </summary>
static class ServeBenchmark
{
    public const string Key = "serve";
    public const string Label = "`POST /api/complete`, 200-point sketch, cvae-completion's default CVAE (32x32, 4 samples), loopback HTTP";

    /// <summary>Median seconds per request over <paramref name="repeats"/> runs of 10, after half a second of warm-up.</summary>
    public static double Seconds(int repeats)
    {
        var experiments = Directory.CreateTempSubdirectory("vaelab-bench-serve-").FullName;
        try
        {
            // The weights are as initialised: how long a completion takes does not depend on training.
            var run = Run.start("cvae-completion", experiments: experiments);
            var config = new CvaeConfig { image_size = 32, latent_dim = 32, encoder_channels = [8, 16, 32], decoder_channels = [16, 8] };
            using (var model = new Cvae(config)) run.save_model("full", model, config);
            run.finish();
            using var runs = new RunModels(experiments);
            var app = DrawingServer.Build(IPAddress.Loopback, 0, runs);
            app.StartAsync().GetAwaiter().GetResult();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
                var body = new { run = run.id, strokes = Sketch(), samples = 4 };
                double Time(int n)
                {
                    var clock = Stopwatch.StartNew();
                    for (var i = 0; i < n; i++) http.PostAsJsonAsync("/api/complete", body).GetAwaiter().GetResult().EnsureSuccessStatusCode().Dispose();
                    return clock.Elapsed.TotalSeconds / n;
                }
                for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 0.5;) Time(1);
                return Benchmarks.Median(Enumerable.Range(0, repeats).Select(_ => Time(10)).ToArray());
            }
            finally
            {
                app.StopAsync().GetAwaiter().GetResult();
                ((IDisposable)app).Dispose();
            }
        }
        finally
        {
            Directory.Delete(experiments, recursive: true);
        }
    }

    /// <summary>Five 40-point strokes on the 0-255 canvas: arcs of circles around the middle.</summary>
    static object[] Sketch() => Enumerable.Range(0, 5).Select(s =>
    {
        var angles = Enumerable.Range(0, 40).Select(i => s * 1.3 + i * 0.1).ToArray();
        return (object)new
        {
            x = angles.Select(a => 128 + (30 + 15 * s) * Math.Cos(a)).ToArray(),
            y = angles.Select(a => 128 + (30 + 15 * s) * Math.Sin(a)).ToArray(),
        };
    }).ToArray();
}
