using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace VaeLab.Bench;

/// <summary>
/// pytorch_bench.py running beside this process: asked for one timed run at a time, so that the runs of
/// the two sides alternate (the load of a shared machine drifts). Needs Debian's python3-torch.
/// </summary>
sealed class PyTorchProcess : IDisposable
{
    const string Python = "/usr/bin/python3";
    readonly Process process;

    public PyTorchProcess(string script, int threads, Workload workload)
    {
        if (!File.Exists(Python)) throw new FileNotFoundException($"{Python} not found: install Debian's python3-torch (make bench does)", Python);
        if (!File.Exists(script)) throw new FileNotFoundException($"the PyTorch side of the benchmark is missing: {script}", script);
        var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        // Debian's PyTorch multiplies matrices with OpenBLAS, whose pool torch.set_num_threads leaves at one thread per core
        // (TorchSharp's libtorch has MKL, which follows set_num_threads): without this, `--threads 1` gave PyTorch's matrix
        // products two threads against VaeLab's one.
        start.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        foreach (var argument in new[] { script, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--workload", JsonSerializer.Serialize(workload) })
            start.ArgumentList.Add(argument);
        process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python} {script}");

        using var hello = JsonDocument.Parse(ReadLine());
        Version = hello.RootElement.GetProperty("torch").GetString() ?? "unknown";
        var reported = hello.RootElement.GetProperty("threads").GetInt32();
        if (reported != threads) throw new InvalidOperationException($"PyTorch runs {reported} threads instead of {threads}");
        FlushesDenormals = hello.RootElement.GetProperty("flush_denormal").GetBoolean();
    }

    /// <summary>torch.__version__ of the Python side.</summary>
    public string Version { get; }

    /// <summary>What torch.set_flush_denormal(True) returned on the Python side.</summary>
    public bool FlushesDenormals { get; }

    /// <summary>Seconds that PyTorch took for the given iterations of the benchmark named key.</summary>
    public double Run(string key, int iterations)
    {
        process.StandardInput.WriteLine($"{key} {iterations}");
        process.StandardInput.Flush();
        return double.Parse(ReadLine(), CultureInfo.InvariantCulture);
    }

    string ReadLine() =>
        process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"pytorch_bench.py stopped (exit code {ExitCode()}); its error is above");

    int ExitCode()
    {
        process.WaitForExit();
        return process.ExitCode;
    }

    public void Dispose()
    {
        process.StandardInput.Close();
        process.WaitForExit();
        process.Dispose();
    }
}
