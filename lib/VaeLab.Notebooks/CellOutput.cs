using System.Text;

namespace VaeLab.Notebooks;

/// <summary>An output of a code cell, shaped like nbformat's output types.</summary>
public abstract class CellOutput;

/// <summary>Console text of one stream (stdout or stderr). Consecutive writes to the same stream share one output,
/// and a carriage return not followed by a newline rewrites the current line, as a terminal shows a progress bar.</summary>
public sealed class StreamOutput(string name) : CellOutput
{
    readonly StringBuilder text = new();
    bool pendingCarriageReturn;

    public string Name { get; } = name;
    public string Text { get { lock (text) return text.ToString(); } }

    internal void Append(string value)
    {
        lock (text)
        {
            foreach (var c in value)
            {
                if (pendingCarriageReturn)
                {
                    pendingCarriageReturn = false;
                    if (c != '\n') text.Length = LineStart();
                }
                if (c == '\r') pendingCarriageReturn = true;
                else text.Append(c);
            }
        }
    }

    int LineStart()
    {
        for (var i = text.Length - 1; i >= 0; i--)
            if (text[i] == '\n') return i + 1;
        return 0;
    }
}

/// <summary>A displayed value (display_data), or the value of a cell's trailing expression (execute_result):
/// one representation per MIME type; image/png is base64.</summary>
public sealed class DisplayOutput(IReadOnlyDictionary<string, string> data, bool isResult) : CellOutput
{
    public IReadOnlyDictionary<string, string> Data { get; internal set; } = data;
    public bool IsResult { get; } = isResult;
    /// <summary>The value as a picture file, for outputs of a cell tagged <see cref="NotebookFigure.Tag"/> whose value renders
    /// as SVG or PNG; null otherwise. Neither the executed notebook nor the HTML report holds it.</summary>
    public NotebookFigure? Figure { get; internal set; }
}

/// <summary>The exception or compilation error that stopped a run.</summary>
public sealed class ErrorOutput(string name, string value, IReadOnlyList<string> traceback) : CellOutput
{
    public string Name { get; } = name;
    public string Value { get; } = value;
    public IReadOnlyList<string> Traceback { get; } = traceback;
}
