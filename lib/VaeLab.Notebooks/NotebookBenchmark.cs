using System.Diagnostics;

namespace VaeLab.Notebooks;

/// <summary>The engine's own overhead, for the benchmarks: the time to run a notebook of trivial cells.</summary>
public static class NotebookBenchmark
{
    /// <summary>Runs <paramref name="cells"/> cells that each declare a variable from the previous one and returns the wall time.
    /// The first run in a process also pays the kernel's start-up (see <see cref="NotebookRunner.WarmUpAsync"/>).</summary>
    public static async Task<TimeSpan> TrivialCellsAsync(int cells = 20)
    {
        var sources = Enumerable.Range(0, cells).Select(i => i == 0 ? "var x0 = 0;" : $"var x{i} = x{i - 1} + 1;");
        var notebook = new NotebookDocument(sources.Select(s => NotebookCell.Code(s)), Path.Combine(Path.GetTempPath(), "trivial-cells.ipynb"));
        var clock = Stopwatch.StartNew();
        var run = await NotebookRunner.RunAsync(notebook);
        clock.Stop();
        if (!run.Succeeded) throw new InvalidOperationException($"the benchmark notebook failed: {run.Error}");
        return clock.Elapsed;
    }
}
