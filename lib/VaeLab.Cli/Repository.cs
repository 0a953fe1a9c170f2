namespace VaeLab.Cli;

/// <summary>
/// The folders of a VaeLab checkout that the commands read and write: the root holds Polyglot.sln, notebooks/ the
/// experiments, experiments/&lt;notebook&gt;/&lt;preset&gt;.json their presets, analysis/ the exported reports and
/// analysis/figures/ the notebooks' figures.
/// </summary>
sealed record Repository(string Root)
{
    public const string Marker = "Polyglot.sln";

    public string Notebooks => Path.Combine(Root, "notebooks");
    public string Analysis => Path.Combine(Root, "analysis");

    public string PresetFolder(string notebookName) => Path.Combine(Root, "experiments", notebookName);

    public string Report(string notebookName, string extension) => Path.Combine(Analysis, notebookName + extension);

    /// <summary>The notebook's figure, analysis/figures/&lt;name&gt;, without its extension (.svg or .png, as the figure is).</summary>
    public string Figure(string notebookName) => Path.Combine(Analysis, "figures", notebookName);

    /// <summary>The first folder holding Polyglot.sln at or above one of the starting folders, tried in order.</summary>
    public static Repository? Find(params string[] starts)
    {
        foreach (var start in starts)
            for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, Marker))) return new Repository(folder.FullName);
        return null;
    }
}

/// <summary>A command asked for something that cannot be done as asked (exit code 2): the message says what and how to fix it.</summary>
sealed class UsageException(string message) : Exception(message);
