using VaeLab.Notebooks;

namespace VaeLab.Bench;

/// <summary>The notebook engine's own overhead, which has no PyTorch counterpart: a notebook of 20 trivial cells.</summary>
static class EngineBenchmark
{
    public const string Label = "notebook of 20 trivial cells (engine overhead, warm)";

    /// <summary>Median seconds per run, after a first run that pays the kernel's start-up.</summary>
    public static double Seconds(int repeats)
    {
        NotebookRunner.WarmUpAsync().GetAwaiter().GetResult();
        var runs = Enumerable.Range(0, repeats).Select(_ => NotebookBenchmark.TrivialCellsAsync(20).GetAwaiter().GetResult().TotalSeconds).ToArray();
        return Benchmarks.Median(runs);
    }
}
