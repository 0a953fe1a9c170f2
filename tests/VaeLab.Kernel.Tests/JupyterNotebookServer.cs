using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using static VaeLab.Kernel.Tests.ShippedNotebooks;

namespace VaeLab.Kernel.Tests;

/// <summary>Debian's Jupyter Notebook serving a folder on 127.0.0.1 (a free port), with a token of its own; disposing
/// it shuts it down with the kernels it started.</summary>
sealed class JupyterNotebookServer : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder log = new();

    JupyterNotebookServer(string folder)
    {
        var port = FreePort();
        Root = new Uri($"http://127.0.0.1:{port}/");
        process = new Process
        {
            StartInfo = new ProcessStartInfo(Python)
            {
                ArgumentList =
                {
                    "-m", "notebook", "--no-browser", "--ip=127.0.0.1", $"--port={port}", "--port-retries=0",
                    $"--NotebookApp.token={Token}", $"--notebook-dir={folder}", "--allow-root",
                },
                Environment = { ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        process.OutputDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
    }

    public Uri Root { get; }
    public string Token { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The last lines the server wrote, for a failure message.</summary>
    public string Log()
    {
        lock (log) return Tail(log.ToString(), 60);
    }

    /// <summary>Starts the server and waits until it answers.</summary>
    public static async Task<JupyterNotebookServer> StartAsync(string folder)
    {
        var server = new JupyterNotebookServer(folder);
        try
        {
            server.process.Start();
            server.process.BeginOutputReadLine();
            server.process.BeginErrorReadLine();
            using var http = new HttpClient();
            var clock = Stopwatch.StartNew();
            while (true)
            {
                if (server.process.HasExited)
                    Assert.Fail($"Jupyter Notebook exited ({server.process.ExitCode}); run scripts/setup.sh (it installs jupyter-notebook)\n{server.Log()}");
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"Jupyter Notebook did not answer on {server.Root} in a minute\n{server.Log()}");
                try
                {
                    if ((await http.GetAsync(new Uri(server.Root, $"api/status?token={server.Token}"))).IsSuccessStatusCode) return server;
                }
                catch (HttpRequestException) { } // not listening yet
                await Task.Delay(200);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The kernels Jupyter knows.</summary>
    public async Task<IReadOnlyList<string>> KernelNamesAsync()
    {
        using var http = new HttpClient();
        var specs = JsonNode.Parse(await http.GetStringAsync(new Uri(Root, $"api/kernelspecs?token={Token}")))!["kernelspecs"]!.AsObject();
        return specs.Select(s => s.Key).ToList();
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // Its shutdown request stops the kernels it started too; killing the tree is the fallback.
            using var http = new HttpClient();
            try { await http.PostAsync(new Uri(Root, $"api/shutdown?token={Token}"), null); }
            catch (HttpRequestException) { }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
        }
        process.Dispose();
    }
}
