using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VaeLab.Cli.Tests;

/// <summary>
/// Every data path that a shipped preset or notebook names is where <c>vaelab data get</c> writes that dataset, or
/// where its instructions for the manual ones say to unpack it, so a fetched dataset is found without editing a path.
/// </summary>
public partial class DataPathTests
{
    const string DataFolder = "../data/";

    static readonly string RepoRoot = TestRepository.Root;

    /// <summary>The presets (experiments/&lt;notebook&gt;/*.json) and the notebooks; not the run folders below the presets,
    /// which hold a user's own runs (git-ignored) and the data paths they ran with.</summary>
    public static TheoryData<string> Files() =>
        [.. Directory.GetDirectories(Path.Combine(RepoRoot, "experiments")).SelectMany(notebook => Directory.GetFiles(notebook, "*.json"))
            .Concat(Directory.GetFiles(Path.Combine(RepoRoot, "notebooks"), "*.ipynb"))
            .Select(path => Path.GetRelativePath(RepoRoot, path)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Files))]
    public void NamesDataOnlyWhereVaelabDataGetPutsIt(string file)
    {
        foreach (var path in DataPaths(Path.Combine(RepoRoot, file)))
            Assert.True(IsWhereDataGetPutsIt(path[DataFolder.Length..]),
                $"{file} names {path}, which `vaelab data get` does not write (see lib/VaeLab.Cli/DataSources.cs)");
    }

    [Fact]
    public void TheCheckKnowsEveryKindOfPlaceAndRefusesOthers()
    {
        Assert.True(IsWhereDataGetPutsIt("mnist"));
        Assert.True(IsWhereDataGetPutsIt("cifar-10/cifar-10-batches-bin"));
        Assert.True(IsWhereDataGetPutsIt("celeba"));
        Assert.True(IsWhereDataGetPutsIt("quickdraw/simplified/ice cream.ndjson"));
        Assert.False(IsWhereDataGetPutsIt("quickdraw/book.ndjson"));
        Assert.False(IsWhereDataGetPutsIt("quickdraw/npz/cat.ndjson"));
        Assert.False(IsWhereDataGetPutsIt("cifar10"));
    }

    /// <summary>The data paths of a preset (its string values, lists and comma-separated lists) or of a notebook's code
    /// (its string literals).</summary>
    static IEnumerable<string> DataPaths(string file)
    {
        var json = JsonNode.Parse(File.ReadAllText(file))!;
        IEnumerable<string> texts = file.EndsWith(".ipynb")
            ? json["cells"]!.AsArray().Where(c => (string?)c!["cell_type"] == "code")
                .SelectMany(c => StringLiteral().Matches(string.Concat(c!["source"]!.AsArray().Select(l => (string?)l))).Select(m => m.Groups[1].Value))
            : json.AsObject().SelectMany(p => Strings(p.Value)).SelectMany(s => s.Split(','));
        return texts.Where(t => t.StartsWith(DataFolder));
    }

    static IEnumerable<string> Strings(JsonNode? value) => value switch
    {
        JsonArray items => items.SelectMany(Strings),
        JsonValue text when text.TryGetValue(out string? s) => [s],
        _ => [],
    };

    static bool IsWhereDataGetPutsIt(string path)
    {
        if (DataSources.Images.Values.Any(s => path == s.Name || path == $"{s.Name}/{s.Unpacks}" || s.Files.Any(f => f.Local == path)))
            return true;
        if (DataSources.Manual.ContainsKey(path)) return true;
        return QuickDrawFile().Match(path) is { Success: true } m
            && DataSources.QuickDrawFormats.TryGetValue(m.Groups[1].Value, out var format) && m.Groups[2].Value == format.Extension;
    }

    [GeneratedRegex("\"(\\.\\./data/[^\"]*)\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^quickdraw/([a-z]+)/[^/]+?(\.[a-z]+)$")]
    private static partial Regex QuickDrawFile();
}
