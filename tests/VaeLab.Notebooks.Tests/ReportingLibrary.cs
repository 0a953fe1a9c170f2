using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// A stand-in for lib/VaeLab's <c>VaeLab.Display.Notebook</c>: the same type name and event, which is all
/// the engine relies on, compiled once into a folder that test notebooks #r.
/// </summary>
static class ReportingLibrary
{
    public const string FileName = "ReportingLibrary.dll";
    static readonly Lock gate = new();

    const string Source = """
        namespace VaeLab.Display;
        public static class Notebook
        {
            public static event System.Action<string, double>? MetricReported;
            public static double report(string name, double value) { MetricReported?.Invoke(name, value); return value; }
        }
        """;

    /// <summary>A notebook in a new temporary folder, beside the library, whose first cell #r's it for report() and whose
    /// second is <paramref name="cell"/>.</summary>
    public static string NotebookThatReports(string name, string cell)
    {
        var folder = TestNotebooks.TempFolder();
        EmitInto(folder);
        return TestNotebooks.WriteNotebook(Path.Combine(folder, name), $"#r \"{FileName}\"\nusing static VaeLab.Display.Notebook;", cell);
    }

    public static void EmitInto(string folder)
    {
        var dll = Path.Combine(folder, FileName);
        lock (gate)
        {
            if (File.Exists(dll)) return;
            Directory.CreateDirectory(folder);
            var compilation = CSharpCompilation.Create("ReportingLibrary", [CSharpSyntaxTree.ParseText(Source)],
                [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var emitted = compilation.Emit(dll);
            if (!emitted.Success) throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        }
    }
}
