using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using VaeLab.Runs;

namespace VaeLab.Cli.Serve;

/// <summary>`vaelab serve`: the drawing page on this machine only unless --host says otherwise, until Ctrl+C.</summary>
static class ServeCommand
{
    public const int DefaultPort = 5173;

    public sealed record Options(string Host, int Port, string? Experiments);

    public static async Task<int> RunAsync(Options options, TextWriter output, CancellationToken cancellation)
    {
        if (!IPAddress.TryParse(options.Host, out var address))
            throw new UsageException($"--host must be an IP address such as 127.0.0.1 or 0.0.0.0, not '{options.Host}'");
        if (options.Port is < 0 or > 65535) throw new UsageException($"--port must be 0 to 65535 (0: any free port), not {options.Port}");
        var experiments = options.Experiments is { } given ? Path.GetFullPath(given) : RunFolder.experiments_folder();
        if (!Directory.Exists(experiments)) throw new UsageException($"--experiments {experiments}: no such folder");

        using var runs = new RunModels(experiments);
        await using var app = DrawingServer.Build(address, options.Port, runs);
        await app.StartAsync(cancellation);
        var url = app.Urls.First();
        var reach = IPAddress.IsLoopback(address) ? "only this machine can open it; --host 0.0.0.0 shares it on the network"
            : $"bound to {address}: other machines on the network can open it too";
        output.WriteLine($"vaelab serve: the drawing page is at {url}/ ({reach})");
        output.WriteLine($"runs from {experiments}: {runs.List().Count} with models the page can use; Ctrl+C stops the server");
        output.Flush();
        await app.WaitForShutdownAsync(cancellation);
        return 0;
    }
}
