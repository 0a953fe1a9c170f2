using System.Diagnostics;

namespace VaeLab.Fuzz;

/// <summary>What a loader made of its inputs; <see cref="Examples"/> describes the first few "anything else" outcomes.</summary>
sealed class Tally(string format)
{
    const int KeptExamples = 5;

    public string Format => format;
    public int Inputs => Accepted + Clear + Other;
    public int Accepted { get; set; }
    public int Clear { get; set; }
    public int Other { get; private set; }
    public List<string> Examples { get; } = [];

    public void CountOther(int input, string description)
    {
        Other++;
        if (Examples.Count < KeptExamples) Examples.Add($"input {input} {description}");
    }
}

/// <summary>
/// Runs a loader's inputs in worker processes under a 1 GiB managed-heap limit (as in a small container), so that
/// a crash (a stack overflow, a native fault) or a hang counts against the input that caused it, and the run goes
/// on from the next input in a new worker.
/// </summary>
sealed class Campaign(int inputs, int seed, TimeSpan hang, string? save)
{
    public async Task<Tally> RunAsync(Target target)
    {
        var tally = new Tally(target.Name);
        var folder = Directory.CreateTempSubdirectory($"vaelab-fuzz-{target.Name}-").FullName;
        try
        {
            for (var next = 0; next < inputs;) next = await RunWorkerAsync(target, next, folder, tally);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return tally;
    }

    /// <summary>Runs inputs from <paramref name="first"/> on in one worker; returns the input to go on from.</summary>
    async Task<int> RunWorkerAsync(Target target, int first, string folder, Tally tally)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] arguments = [typeof(Campaign).Assembly.Location, "--worker", target.Name, "--seed", $"{seed}", "--first", $"{first}", "--inputs", $"{inputs}", "--folder", folder];
        foreach (var argument in save is null ? arguments : [.. arguments, "--save", save]) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x40000000";
        using var worker = Process.Start(start)!;
        var stderr = worker.StandardError.ReadToEndAsync();
        var current = first;
        var pending = false;
        while (true)
        {
            string? line;
            try { line = await worker.StandardOutput.ReadLineAsync().WaitAsync(hang); }
            catch (TimeoutException)
            {
                worker.Kill(entireProcessTree: true);
                tally.CountOther(current, $"gave no result within {hang.TotalSeconds:F0} s (a hang?)");
                return current + 1;
            }
            if (line is null) break;
            var (word, rest) = line.IndexOf(' ') is var space and > 0 ? (line[..space], line[(space + 1)..]) : (line, "");
            switch (word)
            {
                case "input": (current, pending) = (int.Parse(rest), true); break;
                case "accepted": (tally.Accepted, pending) = (tally.Accepted + 1, false); break;
                case "clear": (tally.Clear, pending) = (tally.Clear + 1, false); break;
                case "other": tally.CountOther(current, rest); pending = false; break;
            }
        }
        await worker.WaitForExitAsync();
        if (!pending && worker.ExitCode == 0) return inputs;
        var message = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        tally.CountOther(current, $"killed the worker (exit code {worker.ExitCode}): {Worker.OneLine(message)}");
        return current + 1;
    }
}
