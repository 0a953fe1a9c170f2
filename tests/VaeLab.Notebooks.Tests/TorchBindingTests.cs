using System.Reflection;
using static VaeLab.Notebooks.Tests.TestNotebooks;

namespace VaeLab.Notebooks.Tests;

/// <summary>The experiment notebooks' first line: #r of the binding from a folder next to the notebook.</summary>
public class TorchBindingTests
{
    static readonly string BuiltDll = typeof(TorchBindingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "VaeLabTorchDll").Value!;

    [Fact]
    public async Task A_notebook_references_the_binding_which_loads_its_native_library_from_beside_itself()
    {
        var folder = TempFolder();
        var lib = Directory.CreateDirectory(Path.Combine(folder, "lib")).FullName;
        foreach (var file in new[] { BuiltDll, Path.Combine(Path.GetDirectoryName(BuiltDll)!, "libvaelab_native.so") })
            File.Copy(file, Path.Combine(lib, Path.GetFileName(file)));

        var run = await NotebookRunner.RunAsync(new Notebook([
            NotebookCell.Code("#r \"lib/VaeLab.Torch.dll\"\nusing VaeLab.Torch;\nusing static VaeLab.Torch.torch;"),
            NotebookCell.Code("(ones(2, 3) * 2).sum().item<float>()"),
            NotebookCell.Code("typeof(torch).Assembly.Location"),
            NotebookCell.Code("zeros(2, 3).matmul(zeros(4, 5))"),
        ], Path.Combine(folder, "torch.ipynb")));

        Assert.Equal("12", run.Cells[1].Outputs.OfType<DisplayOutput>().Single().Data["text/plain"]);
        Assert.Equal(Path.Combine(lib, "VaeLab.Torch.dll"), run.Cells[2].Outputs.OfType<DisplayOutput>().Single().Data["text/plain"]);
        Assert.Contains(Path.Combine(lib, "libvaelab_native.so"), File.ReadAllText("/proc/self/maps"));
        Assert.Equal("Cell 4, line 1: TorchException: matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", run.Error);
    }
}
