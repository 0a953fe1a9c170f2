using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using VaeLab.Data;

namespace VaeLab.Cli;

/// <summary>A download that failed: the message names the URL and what went wrong.</summary>
sealed class DownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Downloads files resumably: bytes go to <c>&lt;file&gt;.part</c>, which a later run continues with an HTTP Range
/// request, and the file gets its final name only once it is verified: its size is what the server announced, its
/// MD5 what the publisher gives (or Google Cloud Storage's x-goog-hash, for a whole-file response), and a .gz
/// inflates. A file that already has its final name is complete and is not fetched again.
/// </summary>
sealed class Downloader(HttpClient http)
{
    public enum Outcome { Downloaded, Resumed, AlreadyComplete }

    /// <summary>Called with (bytes on disk, total bytes when known) as the download goes.</summary>
    public delegate void Progress(long done, long? total);

    public async Task<Outcome> FetchAsync(Uri url, string path, Progress? progress = null, CancellationToken cancel = default, string? md5 = null)
    {
        if (File.Exists(path)) return Outcome.AlreadyComplete;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var part = path + ".part";
        var offset = File.Exists(part) ? new FileInfo(part).Length : 0;
        try
        {
            using var response = await Get(url, offset, cancel);
            // 416: the .part cannot be continued (it is complete or longer than the file now is), so start over.
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                File.Delete(part);
                return await FetchAsync(url, path, progress, cancel, md5);
            }
            if (!response.IsSuccessStatusCode)
                throw new DownloadException($"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");

            var resumed = response.StatusCode == HttpStatusCode.PartialContent;
            if (resumed && response.Content.Headers.ContentRange?.From != offset)
                throw new DownloadException($"{url}: asked for bytes from {offset} but the server sent {response.Content.Headers.ContentRange}");
            // A server that ignores Range answers 200 with the whole file: the .part restarts from zero.
            if (!resumed) offset = 0;
            long? total = resumed ? response.Content.Headers.ContentRange!.Length : response.Content.Headers.ContentLength;

            long done;
            await using (var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write))
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancel);
                done = await Copy(body, file, offset, total, progress, url, cancel);
            }
            if (total is { } expected && done != expected)
                throw new DownloadException($"{url}: received {done} bytes where the server announced {expected}; "
                    + $"{part} is kept and the next run resumes it");
            Verify(part, path, url, md5 ?? (resumed ? null : GoogleMd5(response)));
            File.Move(part, path);
            return resumed ? Outcome.Resumed : Outcome.Downloaded;
        }
        catch (HttpRequestException e)
        {
            throw new DownloadException($"{url}: network failure: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new DownloadException($"{url}: no answer within {http.Timeout.TotalSeconds:F0} s; run again to resume", e);
        }
        catch (IOException e) when (File.Exists(part))
        {
            throw new DownloadException($"{url}: the transfer broke off ({e.Message}); {part} holds "
                + $"{new FileInfo(part).Length} bytes and the next run resumes it", e);
        }
    }

    /// <summary>
    /// Refuses bytes that are not the file (an error page served with status 200, a corrupt transfer): an MD5 other
    /// than the published one, or a .gz that does not inflate. The .part goes, as resuming it cannot mend it.
    /// </summary>
    static void Verify(string part, string path, Uri url, string? md5)
    {
        string? problem = null;
        if (md5 is not null)
        {
            using var file = File.OpenRead(part);
            var actual = Convert.ToHexStringLower(MD5.HashData(file));
            if (!actual.Equals(md5, StringComparison.OrdinalIgnoreCase)) problem = $"its MD5 is {actual}, not the published {md5}";
        }
        if (problem is null && path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) problem = GzipProblem(part);
        if (problem is null) return;
        File.Delete(part);
        throw new DownloadException($"{url}: what arrived is not the file ({problem}); it was removed: run again to fetch it afresh");
    }

    static string? GzipProblem(string file)
    {
        using var stream = File.OpenRead(file);
        if (stream.ReadByte() != 0x1f || stream.ReadByte() != 0x8b) return "it is not gzip data";
        stream.Position = 0;
        try
        {
            using var content = DataFile.OpenRead(stream, file);
            content.CopyTo(Stream.Null);
            return null;
        }
        catch (DataFormatException e) { return $"its gzip data does not inflate: {e.Reason}"; }
    }

    /// <summary>The MD5 (hex) that Google Cloud Storage gives in x-goog-hash ("crc32c=...,md5=BASE64"), where it gives one.</summary>
    static string? GoogleMd5(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("x-goog-hash", out var values)) return null;
        var md5 = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).FirstOrDefault(v => v.StartsWith("md5=", StringComparison.Ordinal));
        var bytes = new byte[16];
        return md5 is not null && Convert.TryFromBase64String(md5[4..], bytes, out var n) && n == 16 ? Convert.ToHexStringLower(bytes) : null;
    }

    Task<HttpResponseMessage> Get(Uri url, long offset, CancellationToken cancel)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        return http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
    }

    static async Task<long> Copy(Stream body, Stream file, long done, long? total, Progress? progress, Uri url, CancellationToken cancel)
    {
        var buffer = new byte[1 << 16];
        progress?.Invoke(done, total);
        while (await body.ReadAsync(buffer, cancel) is var n and > 0)
        {
            await file.WriteAsync(buffer.AsMemory(0, n), cancel);
            done += n;
            if (done > total)
                throw new DownloadException($"{url}: the server sent more than the {total} bytes it announced");
            progress?.Invoke(done, total);
        }
        return done;
    }
}
