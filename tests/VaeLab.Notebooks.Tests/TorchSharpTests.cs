using System.Net;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// The experiment notebooks' first lines: #r of TorchSharp and VaeLab from lib/VaeLab's Release build, where libtorch's
/// natives lie beside TorchSharp.dll. The engine itself knows nothing of torch.
/// </summary>
[Collection(ShippedNotebooks.Name)]
public class TorchSharpTests
{
    static readonly NotebookCell References = NotebookCell.Code(
        $"#r \"{Path.Combine(LibraryFolder, "TorchSharp.dll")}\"\n#r \"{Path.Combine(LibraryFolder, "VaeLab.dll")}\"\n" +
        "using TorchSharp;\nusing static TorchSharp.torch;\nusing VaeLab.Torch;");

    static Task<NotebookRun> Run(params NotebookCell[] cells) =>
        NotebookRunner.RunAsync(new NotebookDocument([References, .. cells], Path.Combine(TempFolder(), "torch.ipynb")));

    [Fact]
    public async Task ANotebookAnywhereRunsLibtorch210LoadedFromBesideTorchSharpInTheLibraryFolder()
    {
        var run = await Run(NotebookCell.Code("(ones(2, 3) * 2).sum().item<float>()"), NotebookCell.Code("torch.__version__"));

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("12", Text(Shown(run.Cells[1])));
        Assert.StartsWith("2.10.", Text(Shown(run.Cells[2])));
        Assert.Contains(Path.Combine(LibraryFolder, "libtorch_cpu.so"), File.ReadAllText("/proc/self/maps"));
    }

    [Fact]
    public async Task TensorsAndModulesShowAsVaeLabShowsThemNotAsTorchSharpDoes()
    {
        var run = await Run(NotebookCell.Code("nn.Linear(3, 2).summary([1, 3])"), NotebookCell.Code("arange(4).view(2, 2) / 2"));

        Assert.True(run.Succeeded, run.Error);
        Assert.Contains("class=\"model-summary\"", Shown(run.Cells[1]).Data["text/html"]);
        var tensor = Shown(run.Cells[2]).Data["text/html"];
        Assert.StartsWith("<div class=\"vaelab-tensor\">", tensor);
        Assert.Contains(WebUtility.HtmlEncode("[2, 2] · float32 · cpu"), tensor);
        Assert.Contains(WebUtility.HtmlEncode("tensor([[0.0000, 0.5000],\n        [1.0000, 1.5000]])"), tensor);
    }

    [Fact]
    public async Task ALibtorchErrorFailsItsCellWithTheOperationInTheTracebackAndTheEngineRunsOn()
    {
        var failed = await Run(NotebookCell.Code("zeros(2, 3).view(7)"), NotebookCell.Code("ones(1)"));

        Assert.Equal("Cell 2, line 1: ExternalException: shape '[7]' is invalid for input of size 6", failed.Error);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(failed.Cells[1].Outputs));
        Assert.Contains(error.Traceback, line => line.Contains("at TorchSharp.torch.Tensor.view("));
        Assert.Equal(CellStatus.NotRun, failed.Cells[2].Status);

        var next = await Run(NotebookCell.Code("zeros(2, 3).view(6).sum().item<float>()"));
        Assert.True(next.Succeeded, next.Error);
    }
}
