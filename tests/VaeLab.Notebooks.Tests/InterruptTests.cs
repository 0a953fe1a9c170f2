using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// Interrupting a cell that trains, as VS Code's stop button and Jupyter's interrupt do (the kernel cancels the cell's
/// invocation context): training stops between steps, the model and the trainer's history stay with the kernel, the
/// rest of the cell does not run, and the kernel goes on taking cells.
/// </summary>
[Collection(ShippedNotebooks.Name)]
public class InterruptTests
{
    [Fact]
    public async Task AnInterruptedTrainingCellStopsBetweenStepsAndKeepsTheModelAndItsHistory()
    {
        using var kernel = new NotebookKernel();
        await Value(kernel, $$"""
            #r "{{Path.Combine(LibraryFolder, "TorchSharp.dll")}}"
            #r "{{Path.Combine(LibraryFolder, "VaeLab.dll")}}"
            using TorchSharp;
            using static TorchSharp.torch;
            using VaeLab.Training;
            using System.Threading;
            var model = nn.Linear(2, 1);
            var (x, y) = (randn(8, 2), randn(8, 1));
            var steps = new SemaphoreSlim(0);
            var rest_of_cell_ran = false;
            var trainer = new Trainer<Tensor>(model, [optim.SGD(model.parameters(), 0.01)], (batch, _) =>
            {
                var loss = nn.functional.mse_loss(model.call(batch), y);
                loss.backward();
                steps.Release();
                return new Dictionary<string, Tensor> { ["loss"] = loss };
            }) { options = new TrainerOptions { epochs = 1_000_000 } };
            """);
        var csharp = (CSharpKernel)kernel.Root.FindKernelByName("csharp")!;
        Assert.True(csharp.TryGetValue<SemaphoreSlim>("steps", out var steps));

        using var interrupt = new CancellationTokenSource();
        var training = kernel.SubmitAsync("trainer.fit(_ => Enumerable.Repeat(x, 100));\nrest_of_cell_ran = true;", interrupt.Token);
        for (var i = 0; i < 5; i++) Assert.True(await steps.WaitAsync(TimeSpan.FromSeconds(60)), "the training cell did not start stepping");
        await interrupt.CancelAsync();
        try { await training; } catch (OperationCanceledException) { }

        // The trainer notices at its next step; a kernel still busy with the cell would not answer (hence the timeouts).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(bool)(await Value(kernel, "trainer.history.stopped"))!) Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "training went on after the interrupt");
        var kept = (int)(await Value(kernel, "trainer.history.steps.Count"))!;
        await Task.Delay(300);
        Assert.Equal(kept, (int)(await Value(kernel, "trainer.history.steps.Count"))!);
        Assert.InRange(kept, 5, 1000);
        Assert.Equal((long)kept, (long)(await Value(kernel, "trainer.position.step"))!);
        Assert.False((bool)(await Value(kernel, "rest_of_cell_ran"))!);
        Assert.Equal(1L, (long)(await Value(kernel, "model.call(x).shape[1]"))!);
    }

    static async Task<object?> Value(NotebookKernel kernel, string code)
    {
        var result = await kernel.SubmitAsync(code, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(result.Events.OfType<CommandFailed>().Select(f => f.Message));
        return result.Events.OfType<ReturnValueProduced>().SingleOrDefault()?.Value;
    }
}
