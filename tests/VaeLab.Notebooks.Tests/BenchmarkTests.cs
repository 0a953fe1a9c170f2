using Xunit.Abstractions;

namespace VaeLab.Notebooks.Tests;

public class BenchmarkTests(ITestOutputHelper output)
{
    /// <summary>Not a timed test: it prints the engine's overhead (dotnet test --logger "console;verbosity=detailed" shows it).</summary>
    [Fact]
    public async Task TwentyTrivialCells()
    {
        await NotebookRunner.WarmUpAsync();
        var elapsed = await NotebookBenchmark.TrivialCellsAsync(20);

        output.WriteLine($"20 trivial cells: {elapsed.TotalMilliseconds:0} ms ({elapsed.TotalMilliseconds / 20:0.0} ms a cell, warm)");
        Assert.True(elapsed > TimeSpan.Zero);
    }

    /// <summary>Without them each run reads and binds the kernel's metadata again, which doubles the time above (NotebookKernel).</summary>
    [Fact]
    public void TheKernelHasThePrivateFieldsThroughWhichRunsShareTheirMetadata() => Assert.True(NotebookKernel.Reachable);
}
