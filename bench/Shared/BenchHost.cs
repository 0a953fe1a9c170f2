using System.Runtime.InteropServices;

namespace VaeLab.Bench;

/// <summary>
/// What both benchmark programs (VaeLab.Bench and VaeLab.DataBench, each compiling this file) need from the checkout
/// and the machine: where to find the Python side and put the results, and what to say about the machine.
/// </summary>
static class BenchHost
{
    /// <summary>The folder holding Polyglot.sln, found upwards from the program's output folder.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Polyglot.sln"))) return folder.FullName;
        throw new DirectoryNotFoundException($"no Polyglot.sln above {AppContext.BaseDirectory}: run the benchmark from its repository");
    }

    public static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        var line = File.Exists(cpuinfo) ? File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name")) : null;
        return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The 1-minute load average, which says how much other work shared the machine.</summary>
    public static string LoadAverage()
    {
        const string loadavg = "/proc/loadavg";
        return File.Exists(loadavg) ? File.ReadAllText(loadavg).Split(' ')[0] : "unknown";
    }

    /// <summary>Prints <paramref name="report"/> and writes it to bench/results/<paramref name="file"/> (not committed).</summary>
    public static void Publish(string report, string file)
    {
        Console.WriteLine();
        Console.Write(report);
        var results = Path.Combine(RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(results);
        File.WriteAllText(Path.Combine(results, file), report);
        Console.WriteLine($"written to {Path.Combine(results, file)}");
    }
}
