namespace VaeLab.Notebooks.Tests;

public class ParameterTests
{
    [Fact]
    public async Task WithoutOverridesTheDefaultsRunAndNoCellIsInjected()
    {
        var run = await Run("parameters.ipynb");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("3 8 0.001 0.5 42 True base [1,2] [0.5,1.5] [a,b]\n", StreamText(CellWithId(run, "use")));
        Assert.DoesNotContain(run.Cells, c => c.Cell.HasTag(NotebookParameters.InjectedTag));
        Assert.Equal(["epochs", "batch", "lr", "decay", "seed", "augment", "name", "sizes", "weights", "tags", "started"], run.Parameters.Select(p => p.Name));
        Assert.Equal(["int", "int", "double", "float", "long", "bool", "string", "int[]", "double[]", "string[]", "var"], run.Parameters.Select(p => p.Type));
        Assert.All(run.Parameters, p => Assert.False(p.Overridden));
        Assert.Equal("1e-3", run.Parameters.Single(p => p.Name == "lr").Value);
    }

    [Fact]
    public async Task OverridesOfEverySupportedTypeAreInjectedAfterTheParametersCell()
    {
        var run = await Run("parameters.ipynb", new Dictionary<string, string>
        {
            ["epochs"] = "5", ["lr"] = "0.01", ["decay"] = "0.25", ["seed"] = "-7", ["augment"] = "false",
            ["name"] = "with space, \"quotes\" and \\", ["sizes"] = "[3, 4, 5]", ["weights"] = "2,3.5", ["tags"] = "[\"x,1\", \"y\"]",
        });

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("5 8 0.01 0.25 -7 False with space, \"quotes\" and \\ [3,4,5] [2,3.5] [x,1,y]\n", StreamText(CellWithId(run, "use")));
        var injected = run.Cells[2];
        Assert.Equal("parameters", run.Cells[1].Cell.Id);
        Assert.Equal([NotebookParameters.InjectedTag], injected.Cell.Tags);
        Assert.Equal(NotebookParameters.InjectedTag, injected.Cell.Id);
        Assert.Null(injected.Number);
        Assert.Equal(2, injected.ExecutionCount);
        Assert.Contains("lr = 0.01;", injected.Cell.Source);
        Assert.Contains("sizes = new int[] { 3, 4, 5 };", injected.Cell.Source);
        Assert.Equal(3, CellWithId(run, "use").Number);
        var lr = run.Parameters.Single(p => p.Name == "lr");
        Assert.True(lr.Overridden);
        Assert.Equal(("0.01", "1e-3"), (lr.Value, lr.DefaultValue));
        Assert.False(run.Parameters.Single(p => p.Name == "batch").Overridden);
    }

    [Fact]
    public async Task SpecialNumbersAndSignsCompile()
    {
        var notebook = new NotebookDocument([
            NotebookCell.Code("double a = 1;\nfloat b = 2;\nvar c = 3L;\nvar d = new[] { 1, 2L };", NotebookParameters.ParametersTag),
            NotebookCell.Code("FormattableString.Invariant($\"{a} {b} {c} {d.GetType().Name} {d[0]}\")"),
        ], PathOf("special.ipynb"));
        var run = await NotebookRunner.RunAsync(notebook, new Dictionary<string, string> { ["a"] = "-Infinity", ["b"] = "NaN", ["c"] = "-5", ["d"] = "9000000000" });

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("-Infinity NaN -5 Int64[] 9000000000", run.Cells[2].Outputs.OfType<DisplayOutput>().Single().Data["text/plain"]);
    }

    [Fact]
    public async Task AnUnknownNameIsAnErrorListingTheDeclaredOnes()
    {
        var e = await Assert.ThrowsAsync<NotebookException>(() => Run("parameters.ipynb", new Dictionary<string, string> { ["epoch"] = "1" }));

        Assert.Contains("unknown parameter 'epoch'", e.Message);
        Assert.Contains("declares epochs, batch, lr, decay, seed, augment, name, sizes, weights, tags, started", e.Message);
        Assert.Contains("parameters.ipynb", e.Message);
    }

    [Theory]
    [InlineData("epochs", "3.5", "int")]
    [InlineData("lr", "fast", "double")]
    [InlineData("decay", "1,5", "float")]
    [InlineData("augment", "yes", "bool")]
    [InlineData("seed", "99999999999999999999", "long")]
    [InlineData("sizes", "[1, x]", "int[]")]
    [InlineData("weights", "[0.5, true]", "double[]")]
    public async Task AValueThatDoesNotParseNamesTheParameterTypeAndValue(string name, string value, string type)
    {
        var e = await Assert.ThrowsAsync<NotebookException>(() => Run("parameters.ipynb", new Dictionary<string, string> { [name] = value }));

        Assert.EndsWith($"parameter '{name}' is {type}, and '{value}' is not a valid {type}", e.Message);
    }

    [Fact]
    public async Task AParameterOfAnotherTypeCannotBeOverridden()
    {
        var e = await Assert.ThrowsAsync<NotebookException>(() => Run("parameters.ipynb", new Dictionary<string, string> { ["started"] = "now" }));

        Assert.Contains("parameter 'started' cannot be overridden: its type (var)", e.Message);
    }

    [Fact]
    public async Task OverridesForANotebookWithoutAParametersCellAreAnError()
    {
        var e = await Assert.ThrowsAsync<NotebookException>(() => Run("state.ipynb", new Dictionary<string, string> { ["x"] = "1" }));

        Assert.Contains("no cell tagged 'parameters'", e.Message);
        Assert.Contains("(given: x)", e.Message);
    }

    [Fact]
    public void DeclarationsAreTypedLikeTheirDefaults()
    {
        var declarations = NotebookParameters.Parse("""
            var a = -2;
            var b = 1L;
            var c = 2.5f;
            var d = new[] { 1, 2.5 };
            var e = new long[] { 1 };
            var f = $"x{a}";
            var g = 1m;
            int h = 1, i = 2;
            decimal j = 1;
            int[,] k = new int[1, 1];
            const double L = 1;
            void M() { var inner = 1; }
            """);

        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"], declarations.Select(d => d.Name));
        Assert.Equal(["int", "long", "float", "double[]", "long[]", "string", null, "int", "int", null, null],
            declarations.Select(d => d.Type?.ToString()));
        Assert.Equal("new[] { 1, 2.5 }", declarations[3].DefaultValue);
    }

    [Fact]
    public async Task RunningAnExecutedNotebookReplacesItsInjectedCell()
    {
        var folder = TempFolder();
        File.Copy(PathOf("parameters.ipynb"), Path.Combine(folder, "source.ipynb"));
        ReportingLibrary.EmitInto(Path.Combine(folder, "helpers"));
        var first = await NotebookRunner.RunAsync(Path.Combine(folder, "source.ipynb"), new Dictionary<string, string> { ["epochs"] = "5" });
        var executed = Path.Combine(folder, "executed.ipynb");
        IpynbWriter.Write(first, executed);

        var second = await NotebookRunner.RunAsync(executed, new Dictionary<string, string> { ["batch"] = "16" });

        Assert.True(second.Succeeded, second.Error);
        var injected = Assert.Single(second.Cells, c => c.Cell.HasTag(NotebookParameters.InjectedTag));
        Assert.DoesNotContain("epochs", injected.Cell.Source);
        Assert.StartsWith("3 16 ", StreamText(CellWithId(second, "use")));
    }
}
