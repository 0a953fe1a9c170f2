namespace VaeLab.Notebooks;

/// <summary>A notebook that cannot be read or run as asked: bad file, bad parameters, missing report assets.
/// Failures inside cells are not exceptions; they end the <see cref="NotebookRun"/> as failed.</summary>
public sealed class NotebookException(string message, Exception? inner = null) : Exception(message, inner);
