using System.Text;

namespace VaeLab.Notebooks;

/// <summary>
/// Routes Console.Out and Console.Error into the outputs of the cell that is running. The console is process-wide, so
/// the writers stay installed and look up the run through an AsyncLocal: runs in parallel (tests) each get their own
/// text, and code outside any run writes to the real console as before.
/// </summary>
static class ConsoleCapture
{
    internal sealed record Target(NotebookGlobals Globals, TextWriter? Echo);

    static readonly AsyncLocal<Target?> Current = new();
    static readonly Lock Gate = new();
    static TextWriter? installedOut, installedError;
    // Set while a write is being routed, so an echo writer that is itself the console (the CLI passing Console.Out) goes out, not round.
    [ThreadStatic] static bool routing;

    /// <summary>Sends this execution context's console output to the globals' current cell (and to <paramref name="echo"/>).</summary>
    internal static void Capture(NotebookGlobals globals, TextWriter? echo)
    {
        lock (Gate)
        {
            if (!ReferenceEquals(Console.Out, installedOut))
            {
                Console.SetOut(new Router(Console.Out, "stdout"));
                installedOut = Console.Out;
            }
            if (!ReferenceEquals(Console.Error, installedError))
            {
                Console.SetError(new Router(Console.Error, "stderr"));
                installedError = Console.Error;
            }
        }
        Current.Value = new Target(globals, echo);
    }

    /// <summary>Whether the code running here belongs to the run of <paramref name="globals"/> (its execution context flows from it).</summary>
    internal static bool IsRunning(NotebookGlobals globals) => ReferenceEquals(Current.Value?.Globals, globals);

    sealed class Router(TextWriter console, string stream) : TextWriter
    {
        public override Encoding Encoding => console.Encoding;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            if (!routing && Current.Value is { Globals.Cell: { } cell } target)
            {
                routing = true;
                try
                {
                    cell.Write(stream, value);
                    target.Echo?.Write(value);
                }
                finally { routing = false; }
            }
            else console.Write(value);
        }

        public override void Flush()
        {
            if (!routing && Current.Value is { Echo: { } echo })
            {
                routing = true;
                try { echo.Flush(); }
                finally { routing = false; }
            }
            console.Flush();
        }
    }
}
