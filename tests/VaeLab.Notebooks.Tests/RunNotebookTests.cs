using System.Text.Json.Nodes;

namespace VaeLab.Notebooks.Tests;

/// <summary>A notebook's run (VaeLab.Runs.Run) gets what its cells report and show, as the kernel formats it. Run.current
/// is the process's: with the shipped notebooks, after the parallel tests.</summary>
[Collection(ShippedNotebooks.Name)]
public class RunNotebookTests
{
    [Fact]
    public async Task WhatTheCellsReportAndShowWhileTheRunGoesIsKeptInTheRunFolder()
    {
        var experiments = TempFolder();
        var run = await NotebookRunner.RunAsync(new NotebookDocument(
        [
            NotebookCell.Code($"#r \"{Path.Combine(LibraryFolder, "TorchSharp.dll")}\"\n#r \"{Path.Combine(LibraryFolder, "VaeLab.dll")}\"\n" +
                              "using VaeLab.Display;\nusing VaeLab.Runs;\nusing static VaeLab.Display.Notebook;\nusing static TorchSharp.torch;"),
            NotebookCell.Code($"var run = Run.start(\"hooks\", new {{ epochs = 1 }}, experiments: @\"{experiments}\");\nreport(\"test_mse\", 0.25);"),
            NotebookCell.Code("display(new ImageGrid([Image.FromBatch(ones(2, 1, 4, 4))]) { Title = \"Reconstructions, epoch 1\" });\n" +
                              "new Figure(\"Loss\").Line([2.0, 1.0])"),
            NotebookCell.Code("run.finish();\nreport(\"after_the_run\", 1);\nConsole.Write(run.folder.path);"),
        ], PathOf("in-memory.ipynb")));

        Assert.True(run.Succeeded, run.Error);
        var folder = StreamText(run.Cells[^1]);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "run.json")))!;
        Assert.Equal("finished", (string?)json["status"]);
        Assert.Equal("""{"test_mse":0.25}""", json["metrics"]!.ToJsonString());
        var figures = Path.Combine(folder, "figures");
        Assert.Equal(["01-reconstructions-epoch-1.png", "02-loss.html"], Directory.GetFiles(figures).Select(Path.GetFileName).Order());
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(figures, "01-reconstructions-epoch-1.png"))[..4]);
        Assert.Contains("Plotly.newPlot", File.ReadAllText(Path.Combine(figures, "02-loss.html")));
    }
}
