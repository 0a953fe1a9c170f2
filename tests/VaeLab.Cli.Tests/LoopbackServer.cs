using System.Net;
using System.Net.Sockets;
using System.Text;

namespace VaeLab.Cli.Tests;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port) serving <see cref="Files"/>, one request per connection, so
/// that download tests never leave the machine. It can ignore Range headers, and cut a body short to simulate a
/// broken transfer.
/// </summary>
sealed class LoopbackServer : IDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();

    public LoopbackServer()
    {
        listener.Start();
        Root = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        _ = Task.Run(Serve);
    }

    public Uri Root { get; }
    public Dictionary<string, byte[]> Files { get; } = [];
    public bool HonourRange { get; set; } = true;
    /// <summary>When set, the connection closes after this many body bytes, whatever Content-Length said.</summary>
    public int? CutAfter { get; set; }
    /// <summary>Response headers ("Name: value") to send with a file, by its path.</summary>
    public Dictionary<string, string[]> Headers { get; } = [];
    /// <summary>Each request as "path" or "path bytes=N-" when it carried a Range header.</summary>
    public List<string> Requests { get; } = [];

    async Task Serve()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try { await Answer(client.GetStream()); }
                    catch (IOException) { } // the client hung up first
                }
            });
        }
    }

    async Task Answer(NetworkStream stream)
    {
        var reader = new StreamReader(stream, Encoding.ASCII);
        var requestLine = await reader.ReadLineAsync() ?? "";
        string? range = null;
        while (await reader.ReadLineAsync() is { Length: > 0 } header)
            if (header.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) range = header[6..].Trim();
        var path = Uri.UnescapeDataString(requestLine.Split(' ')[1].TrimStart('/'));
        lock (Requests) Requests.Add(range is null ? path : $"{path} {range}");

        if (!Files.TryGetValue(path, out var content))
        {
            await Write(stream, "404 Not Found", [], []);
            return;
        }
        var from = range is not null && HonourRange ? long.Parse(range["bytes=".Length..].TrimEnd('-')) : 0;
        if (from >= content.Length && from > 0)
        {
            await Write(stream, "416 Range Not Satisfiable", [$"Content-Range: bytes */{content.Length}"], []);
            return;
        }
        var body = content[(int)from..];
        var headers = new List<string> { $"Content-Length: {body.Length}" };
        if (from > 0) headers.Add($"Content-Range: bytes {from}-{content.Length - 1}/{content.Length}");
        headers.AddRange(Headers.GetValueOrDefault(path, []));
        await Write(stream, from > 0 ? "206 Partial Content" : "200 OK", headers, CutAfter is { } cut ? body[..Math.Min(cut, body.Length)] : body);
    }

    static async Task Write(NetworkStream stream, string status, List<string> headers, byte[] body)
    {
        if (!headers.Any(h => h.StartsWith("Content-Length"))) headers.Add($"Content-Length: {body.Length}");
        var head = $"HTTP/1.1 {status}\r\n{string.Join("", headers.Select(h => h + "\r\n"))}Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
    }
}
