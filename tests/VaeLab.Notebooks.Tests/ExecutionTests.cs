using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace VaeLab.Notebooks.Tests;

public class ExecutionTests
{
    [Fact]
    public async Task StateCarriesFromCellToCell()
    {
        var run = await Run("state.ipynb");

        Assert.True(run.Succeeded, run.Error);
        Assert.StartsWith("x is 21\n", StreamText(CellWithId(run, "print")));
        var result = Assert.IsType<DisplayOutput>(Assert.Single(CellWithId(run, "result").Outputs));
        Assert.True(result.IsResult);
        Assert.Equal("42", Text(result));
        Assert.Contains("<code>Point { X = 2, Y = 21 }</code>", Shown(CellWithId(run, "record")).Data["text/html"]);
        Assert.Empty(CellWithId(run, "statement").Outputs);
    }

    [Fact]
    public async Task ConsoleOutputIsCapturedPerCellAndStream()
    {
        var run = await Run("state.ipynb");

        var print = CellWithId(run, "print");
        Assert.Equal(["stdout", "stderr", "stdout"], print.Outputs.OfType<StreamOutput>().Select(s => s.Name));
        Assert.Equal("to stderr\n", StreamText(print, "stderr"));
        Assert.Equal("x is 21\nno newline", StreamText(print));
        Assert.All(run.Cells.Where(c => c.Cell.Id != "print"), c => Assert.Empty(c.Outputs.OfType<StreamOutput>()));
    }

    [Fact]
    public async Task CellsGetExecutionCountsTimingAndMarkdownPassesThrough()
    {
        var run = await Run("state.ipynb");

        Assert.Equal(CellStatus.NotRun, run.Cells[0].Status);
        Assert.Null(run.Cells[0].ExecutionCount);
        Assert.Equal([1, 2, 3, 4, 5], run.Cells.Skip(1).Select(c => c.ExecutionCount!.Value));
        Assert.All(run.Cells.Skip(1), c =>
        {
            Assert.Equal(CellStatus.Succeeded, c.Status);
            Assert.True(c.Started >= run.Started);
            Assert.True(c.Duration > TimeSpan.Zero && c.Duration <= run.Duration);
        });
        Assert.Equal([1, 2, 3, 4, 5, 6], run.Cells.Select(c => c.Number!.Value));
    }

    [Fact]
    public async Task CarriageReturnRewritesTheCurrentLineLikeAProgressBar()
    {
        var run = await RunCells("for (var i = 1; i <= 3; i++) Console.Write($\"\\rstep {i}/3\");\nConsole.WriteLine();\nConsole.Write(\"a\\r\\nb\");");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("step 3/3\na\nb", StreamText(run.Cells[0]));
    }

    [Fact]
    public async Task AnExceptionStopsTheRunWithTheCellAndLine()
    {
        var run = await Run("errors.ipynb");

        Assert.False(run.Succeeded);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("Cell 3, line 2: InvalidOperationException: boom", run.Error);
        var failed = CellWithId(run, "throws");
        Assert.Equal(CellStatus.Failed, failed.Status);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(failed.Outputs));
        Assert.Equal("InvalidOperationException", error.Name);
        Assert.Equal("boom", error.Value);
        Assert.Equal(run.Error, error.Traceback[0]);
        Assert.DoesNotContain(error.Traceback, l => l.Contains("Microsoft.CodeAnalysis.Scripting") || l.Contains("Microsoft.DotNet.Interactive"));
        Assert.Equal("before\n", StreamText(CellWithId(run, "before")));
        var after = CellWithId(run, "after");
        Assert.Equal(CellStatus.NotRun, after.Status);
        Assert.Null(after.ExecutionCount);
        Assert.Empty(after.Outputs);
    }

    [Fact]
    public async Task AnExceptionThrownInAMethodOfAnEarlierCellIsPlacedAtTheCallingLine()
    {
        var run = await RunCells("void Fail() => throw new ArgumentException(\"bad argument\");", "var a = 1;\n\nFail();");

        Assert.Equal("Cell 2, line 3: ArgumentException: bad argument", run.Error);
    }

    [Fact]
    public async Task AnExceptionIsSummedUpByTheFirstLineOfItsMessageAndTheRestStaysInTheTraceback()
    {
        // As libtorch's messages, whose first line is followed by a C++ backtrace.
        var run = await RunCells("throw new InvalidOperationException(\"shape is invalid\\nException raised from check\\nframe #0: check\");");

        Assert.Equal("Cell 1, line 1: InvalidOperationException: shape is invalid", run.Error);
        var error = Assert.IsType<ErrorOutput>(Assert.Single(run.Cells[0].Outputs));
        Assert.Equal("shape is invalid\nException raised from check\nframe #0: check", error.Value);
        Assert.Equal(["Exception raised from check", "frame #0: check"], error.Traceback.Skip(1).Take(2));
    }

    [Fact]
    public async Task ACompilationErrorNamesTheCellLineAndDiagnostic()
    {
        var run = await Run("compile_error.ipynb");

        AssertFailedWith(run, "Cell 2, line 2: error CS0103:", "'missing'");
        var error = Assert.IsType<ErrorOutput>(Assert.Single(CellWithId(run, "bad").Outputs));
        Assert.Equal("CompilationError", error.Name);
        Assert.Equal(CellStatus.NotRun, CellWithId(run, "never").Status);
    }

    [Fact]
    public async Task CsharpHeadersKeepLineNumbersAndAMarkdownHeaderMakesAMarkdownCell()
    {
        var run = await Run("magic.ipynb");
        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("2\n3\n", StreamText(CellWithId(run, "use")));
        Assert.Equal(CellStatus.NotRun, CellWithId(run, "markdown-kernel").Status);

        var bad = await RunCells("#!csharp\nvar a = 1;\nvar b = nope;");
        Assert.StartsWith("Cell 1, line 3: error CS0103", bad.Error);
        var thrown = await RunCells("#!csharp\nvar a = 1;\n\nthrow new InvalidOperationException(\"late\");");
        Assert.Equal("Cell 1, line 4: InvalidOperationException: late", thrown.Error);
    }

    [Fact]
    public async Task MagicCommandsOfTheKernelWork()
    {
        var run = await RunCells("var count = 3;", "#!time\nConsole.WriteLine(count);", "#!who");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("3\n", StreamText(run.Cells[1]));
        Assert.Matches(@"^Wall time: [0-9.]+ms$", Text(Shown(run.Cells[1])));
        Assert.Contains("count", Shown(run.Cells[2]).Data["text/html"]);
    }

    [Theory]
    [InlineData("#!fsharp", 1)]
    [InlineData("#!about", 2)]
    public async Task AMagicCommandTheKernelDoesNotKnowFailsItsCellNamingTheLine(string magic, int line)
    {
        var source = line == 1 ? $"{magic}\nvar b = 2;" : $"var b = 2;\n{magic}";
        var run = await RunCells("Console.WriteLine(\"first\");", source, "Console.WriteLine(\"never\");");

        Assert.False(run.Succeeded);
        Assert.Equal($"Cell 2, line {line}: error DNI101: Unknown magic command '{magic}'", run.Error);
        Assert.Equal("CompilationError", Assert.IsType<ErrorOutput>(Assert.Single(run.Cells[1].Outputs)).Name);
        Assert.Equal("first\n", StreamText(run.Cells[0]));
        Assert.Equal(CellStatus.NotRun, run.Cells[2].Status);
    }

    [Fact]
    public async Task CellsOfOtherKernelsAreRefusedAndMarkdownKernelCellsPassThrough()
    {
        static NotebookCell Kernel(string name, string source) =>
            new(CellKind.Code, source, metadata: new JsonObject { ["polyglot_notebook"] = new JsonObject { ["kernelName"] = name } });

        var run = await NotebookRunner.RunAsync(new NotebookDocument([
            Kernel("csharp", "var a = 1;"), Kernel("markdown", "# not C#"), Kernel("fsharp", "let a = 1"),
        ], PathOf("kernels.ipynb")));

        Assert.Equal("Cell 3: it is a fsharp cell (the engine has a C# kernel only)", run.Error);
        Assert.Equal(CellStatus.NotRun, run.Cells[0].Status);
        Assert.Equal("UnsupportedKernel", Assert.IsType<ErrorOutput>(Assert.Single(run.Cells[2].Outputs)).Name);

        run = await NotebookRunner.RunAsync(new NotebookDocument([Kernel("csharp", "var a = 1;"), Kernel("markdown", "# not C#")], PathOf("kernels.ipynb")));
        Assert.True(run.Succeeded, run.Error);
        Assert.Equal(CellStatus.NotRun, run.Cells[1].Status);
    }

    [Fact]
    public async Task LoadResolvesAScriptFileAgainstTheNotebookFolder()
    {
        var run = await Run("load.ipynb");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("49", Text(Shown(run.Cells[0])));
        Assert.Equal("hello notebook", Text(Shown(run.Cells[1])));
    }

    [Fact]
    public async Task DefaultUsingsAndAwaitWorkWithoutDeclarations()
    {
        var run = await RunCells("await Task.Delay(1);\nvar sb = new StringBuilder();\nsb.Append(new List<int> { 3, 4 }.Sum());\nsb.ToString()");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("7", Text(Shown(run.Cells[0])));
    }

    [Fact]
    public async Task ARelativeReferenceLoadsTheDllFromItsOwnPath()
    {
        var folder = TempFolder();
        var dll = Path.Combine(folder, "lib", "NotebookHelper.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
        var compilation = CSharpCompilation.Create("NotebookHelper",
            [CSharpSyntaxTree.ParseText("namespace Helper; public class Greeter { public string Hello() => \"hello from a dll\"; }")],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var emitted = compilation.Emit(dll);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        var run = await NotebookRunner.RunAsync(WriteNotebook(Path.Combine(folder, "uses-dll.ipynb"),
            "#r \"lib/NotebookHelper.dll\"\nnew Helper.Greeter().Hello()",
            "typeof(Helper.Greeter).Assembly.Location"));

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("hello from a dll", Text(Shown(run.Cells[0])));
        // The binding finds its native library beside its own DLL, so the DLL must not run from a shadow copy.
        Assert.Equal(dll, Text(Shown(run.Cells[1])));
    }

    [Fact]
    public async Task MetricsReportedThroughTheLibraryEventAreRecordedForThatRunOnly()
    {
        var run = await NotebookRunner.RunAsync(ReportingLibrary.NotebookThatReports("reports.ipynb", "report(\"loss\", 0.25);\nreport(\"accuracy\", 0.9);"));
        var later = await RunCells("var nothing = 0;");

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal([("loss", 0.25), ("accuracy", 0.9)], run.Metrics.Select(m => (m.Key, (double)m.Value)));
        Assert.Empty(later.Metrics);
    }

    [Fact]
    public async Task AThreadAnEarlierRunLeftReportingDoesNotReportToTheNextRun()
    {
        var notebook = ReportingLibrary.NotebookThatReports("leaves-a-thread.ipynb",
            "_ = Task.Run(async () => { for (var i = 0; i < 40; i++) { report(\"late\", i); await Task.Delay(10); } });\nreport(\"own\", 1);");

        var first = await NotebookRunner.RunAsync(notebook);
        var next = await RunCells("System.Threading.Thread.Sleep(200);");

        Assert.Contains("own", first.Metrics.Keys);
        Assert.True(next.Succeeded, next.Error);
        Assert.Empty(next.Metrics);
    }

    [Fact]
    public async Task CancellingStopsACellThatWatchesTheKernelSTokenAndTheNextRunWorks()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var loop = "var token = Microsoft.DotNet.Interactive.KernelInvocationContext.Current.CancellationToken;\n" +
                   "while (!token.IsCancellationRequested) System.Threading.Thread.Sleep(10);";

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NotebookRunner.RunAsync(
            new NotebookDocument([NotebookCell.Code(loop)], PathOf("in-memory.ipynb")), cancellationToken: cancel.Token));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(20));

        var next = await RunCells("1 + 1");
        Assert.Equal("2", Text(Shown(next.Cells[0])));
    }

    [Fact]
    public async Task AMissingReferenceIsACompilationErrorNamingTheFile()
    {
        var run = await RunCells("#r \"no/such.dll\"");

        AssertFailedWith(run, "Cell 1, line 1: error CS0006", "no/such.dll");
    }

    [Fact]
    public async Task ADibNotebookRunsLikeAnIpynb()
    {
        var notebook = NotebookDocument.Load(PathOf("sample.dib"));

        Assert.Equal([CellKind.Markdown, CellKind.Code, CellKind.Code], notebook.Cells.Select(c => c.Kind));
        Assert.Equal("# From a dib\n\nThis line mentions #!csharp without being a separator.", notebook.Cells[0].Source);
        Assert.Equal("items.Sum()", notebook.Cells[2].Source);
        Assert.Equal("From a dib", notebook.Title);
        Assert.Equal("csharp", notebook.Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>());

        var run = await NotebookRunner.RunAsync(notebook);
        Assert.True(run.Succeeded, run.Error);
        Assert.Equal("3\n", StreamText(run.Cells[1]));
        Assert.Equal("6", Text(Shown(run.Cells[2])));
    }

    [Fact]
    public async Task ProgressReportsEachCodeCellStartingAndEndingAndEchoSeesConsoleOutput()
    {
        var events = new List<(string, CellStatus)>();
        var echo = new StringWriter();
        var run = await NotebookRunner.RunAsync(PathOf("state.ipynb"), options: new NotebookRunOptions { Echo = echo },
            progress: c =>
            {
                events.Add((c.Cell.Id!, c.Status));
                Console.WriteLine("progress output stays out of the notebook");
            });

        Assert.True(run.Succeeded, run.Error);
        string[] ids = ["declare", "print", "result", "statement", "record"];
        Assert.Equal(ids.SelectMany(id => new[] { (id, CellStatus.Running), (id, CellStatus.Succeeded) }), events);
        Assert.Equal("x is 21\nto stderr\nno newline", echo.ToString());
        Assert.DoesNotContain(run.Cells, c => StreamText(c).Contains("progress"));
    }
}

/// <summary>The process's working directory, which a run sets to its notebook's folder: checked with no other test's run
/// going on, since one in parallel would hold the directory at the moment this test looks.</summary>
[Collection(ShippedNotebooks.Name)]
public class WorkingDirectoryTests
{
    [Fact]
    public async Task RunsTakeTurnsEachInItsNotebookSFolderAndTheWorkingDirectoryComesBack()
    {
        var (one, two) = (TempFolder(), TempFolder());
        Task<NotebookRun> Where(string folder) => NotebookRunner.RunAsync(new NotebookDocument(
            [NotebookCell.Code("System.Threading.Thread.Sleep(100);\nSystem.IO.Directory.GetCurrentDirectory()")], Path.Combine(folder, "where.ipynb")));
        var before = Environment.CurrentDirectory;

        var runs = await Task.WhenAll(Task.Run(() => Where(one)), Task.Run(() => Where(two)));

        Assert.Equal([one, two], runs.Select(r => Text(Shown(r.Cells[0]))));
        var (first, second) = runs[0].Started < runs[1].Started ? (runs[0], runs[1]) : (runs[1], runs[0]);
        // Each cell sleeps 100 ms: runs side by side would overlap by about that much.
        Assert.True(second.Started >= first.Started + first.Duration - TimeSpan.FromMilliseconds(10), "the runs overlapped");
        Assert.Equal(before, Environment.CurrentDirectory);
    }
}
