using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace VaeLab.Notebooks;

/// <summary>
/// The kernel a run executes its cells on: .NET Interactive's C# kernel in a composite kernel, with what the
/// dotnet-interactive tool adds to it for VS Code and Jupyter and the packages provide (the display helpers,
/// #r "nuget:...", #!who, #!set, #!share, #!import), and #!time, which the tool takes from its Jupyter extension.
/// </summary>
sealed class NotebookKernel : IDisposable
{
    // The metadata references are in the C# kernel's script options, a private field, and each kernel creates them anew
    // (with a resolver of its own for their dependencies): every run would read and bind that metadata again, which made
    // a notebook of 20 trivial cells take half as long again. Kernels started in one folder share the options the first
    // one resolved, as the Roslyn engine before this one shared its references (a DLL that a cell #r-s is read once per
    // process, then); the kernel's working directory, another private field, records which folder they fit. A test
    // checks that this kernel version has both fields.
    static readonly FieldInfo? OptionsField = typeof(CSharpKernel).GetField("_scriptOptions", BindingFlags.NonPublic | BindingFlags.Instance);
    static readonly FieldInfo? FolderField = typeof(CSharpKernel).GetField("_workingDirectory", BindingFlags.NonPublic | BindingFlags.Instance);
    static readonly ConcurrentDictionary<string, ScriptOptions> SharedOptions = new();

    readonly CSharpKernel csharp;
    readonly IReadOnlyList<Microsoft.CodeAnalysis.MetadataReference>? ownReferences;

    public NotebookKernel()
    {
        csharp = new CSharpKernel()
            .UseNugetDirective((kernel, packages) =>
            {
                kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();
        Root = new CompositeKernel { csharp }.UseImportMagicCommand();
        Root.DefaultKernelName = csharp.Name;
        Root.AddDirective(new KernelActionDirective("#!time") { Description = "Time the execution of the rest of the cell" }, Time);

        if (!Reachable) return;
        var folder = Environment.CurrentDirectory;
        if (SharedOptions.TryGetValue(folder, out var shared))
        {
            OptionsField!.SetValue(csharp, shared);
            FolderField!.SetValue(csharp, folder);
        }
        else ownReferences = Options.MetadataReferences;
    }

    public CompositeKernel Root { get; }

    /// <summary>Whether this kernel version has the private fields the engine sets.</summary>
    internal static bool Reachable => OptionsField?.FieldType == typeof(ScriptOptions) && FolderField?.FieldType == typeof(string);

    ScriptOptions Options => (ScriptOptions)OptionsField!.GetValue(csharp)!;

    /// <summary>Sends a cell's code. After this kernel's first submission its options resolve in the working directory,
    /// and the first kernel of that folder offers them (with its own references, not those its cells added) to the next.</summary>
    public async Task<KernelCommandResult> SubmitAsync(string code, CancellationToken cancellationToken)
    {
        var result = await Root.SendAsync(new SubmitCode(code), cancellationToken);
        if (ownReferences is not null && FolderField!.GetValue(csharp) is string folder)
            SharedOptions.TryAdd(folder, Options.WithReferences(ownReferences));
        return result;
    }

    /// <summary>
    /// The line of <paramref name="cell"/> where <paramref name="exception"/>, which failed its last submission, left that
    /// submission's code (a method of an earlier cell it called is passed over); null when there is none. The kernel
    /// compiles without debug information, so the submission's compilation is emitted again with it: the same IL, whose
    /// offsets the sequence points map to lines. The code the kernel compiled is the cell's past any magic command lines.
    /// </summary>
    public int? LineOf(Exception exception, string cell)
    {
        if (csharp.ScriptState is not { } state || !ReferenceEquals(state.Exception, exception)) return null;
        var compilation = state.Script.GetCompilation();
        using var image = new MemoryStream();
        using var symbols = new MemoryStream();
        if (!compilation.Emit(image, symbols, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb)).Success) return null;
        symbols.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(symbols);
        var pdb = provider.GetMetadataReader();
        var start = cell.IndexOf(state.Script.Code, StringComparison.Ordinal);
        if (start < 0) return null;
        foreach (var frame in new StackTrace(exception).GetFrames())
        {
            if (frame.GetMethod() is not { } method || method.Module.Assembly.GetName().Name != compilation.AssemblyName) continue;
            var offset = frame.GetILOffset();
            var point = pdb.GetMethodDebugInformation(MetadataTokens.MethodDefinitionHandle(method.MetadataToken)).GetSequencePoints()
                .LastOrDefault(p => !p.IsHidden && p.Offset <= offset);
            // A sequence point of a #load-ed file names that file; the cell's code has no file name.
            if (point.Document.IsNil || pdb.GetString(pdb.GetDocument(point.Document).Name) != state.Script.Options.FilePath) continue;
            return cell[..start].Count(c => c == '\n') + point.StartLine;
        }
        return null;
    }

    /// <summary>#!time: the wall time of the cell, shown when it completes.</summary>
    static Task Time(KernelCommand command, KernelInvocationContext context)
    {
        var clock = Stopwatch.StartNew();
        context.OnComplete(completed => completed.Publish(new DisplayedValueProduced(clock.Elapsed, context.Command,
            [new FormattedValue("text/plain", $"Wall time: {clock.Elapsed.TotalMilliseconds}ms")])));
        return Task.CompletedTask;
    }

    public void Dispose() => Root.Dispose();
}
