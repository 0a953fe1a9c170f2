using VaeLab.Data.Strokes;
namespace VaeLab.Data.Hershey;

/// <summary>One glyph of a Hershey font: its strokes in font units, y pointing down (as QuickDraw's), origin at the glyph's centre.</summary>
/// <param name="Id">The 5-digit number in the file (Hershey's own glyph number, or 12345 in files that leave it out).</param>
/// <param name="Left">Left side bearing: where the glyph's advance starts, relative to its origin.</param>
/// <param name="Right">Where its advance ends.</param>
public sealed record HersheyGlyph(int Id, int Left, int Right, IReadOnlyList<Stroke> Strokes)
{
    public bool Equals(HersheyGlyph? other) =>
        other is not null && Id == other.Id && Left == other.Left && Right == other.Right && Strokes.SequenceEqual(other.Strokes);

    public override int GetHashCode() => HashCode.Combine(Id, Left, Right, Strokes.Count);
}

/// <summary>
/// A Hershey font in James Hurt's .jhf format, as Debian's hershey-fonts-data installs them under
/// /usr/share/hershey-fonts (see scripts/setup.sh). Each glyph is a line: a 5-character id, a 3-character count of
/// coordinate pairs, then the pairs, two characters each, every character standing for its code minus 'R'. The first
/// pair holds the left and right margins, " R" lifts the pen. Long glyphs may continue on the following lines.
/// </summary>
public sealed class HersheyFont
{
    public const string DebianDirectory = "/usr/share/hershey-fonts";

    /// <summary>The fonts of the Debian package whose 96 glyphs are ASCII 32-127 in Latin letters.</summary>
    public static readonly IReadOnlyList<string> LatinFonts =
    [
        "futural", "futuram", "rowmans", "rowmand", "rowmant", "timesr", "timesrb", "timesi", "timesib",
        "scripts", "scriptc", "cursive", "gothiceng", "gothicger", "gothicita", "gothgbt", "gothgrt", "gothitt",
    ];

    // Pair characters run from '!' to '~' (-49..44 with 'R' as 0); ' ' only starts the pen-up pair.
    const char Origin = 'R';

    HersheyFont(string name, IReadOnlyList<HersheyGlyph> glyphs)
    {
        Name = name;
        Glyphs = glyphs;
    }

    public string Name { get; }

    public IReadOnlyList<HersheyGlyph> Glyphs { get; }

    /// <summary>The glyph of an ASCII character, for fonts that hold ASCII 32 onwards in order (those of <see cref="LatinFonts"/>).</summary>
    public HersheyGlyph this[char c] =>
        c >= ' ' && c - ' ' < Glyphs.Count ? Glyphs[c - ' ']
            : throw new ArgumentOutOfRangeException(nameof(c), c, $"font {Name} has glyphs for characters 32 to {31 + Glyphs.Count}");

    /// <summary>A font of the Debian package by name ("futural"), from <paramref name="directory"/>.</summary>
    public static HersheyFont Load(string name, string directory = DebianDirectory)
    {
        var path = Path.Combine(directory, name + ".jhf");
        if (!File.Exists(path))
            throw new FileNotFoundException($"no Hershey font {name} at {path}; Debian's hershey-fonts-data installs them (scripts/setup.sh)", path);
        return Read(path);
    }

    public static HersheyFont Read(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Parses .jhf text; <paramref name="file"/> names it in errors, which give the line where the faulty glyph starts.</summary>
    public static HersheyFont Parse(TextReader reader, string file, string name)
    {
        var glyphs = new List<HersheyGlyph>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0) continue;
            var where = $"line {number}";
            if (line.Length < 10) throw new DataFormatException(file, where, $"a glyph line needs at least 10 characters (id, count, margins), found {line.Length}");
            if (!int.TryParse(line.AsSpan(0, 5), out var id)) throw new DataFormatException(file, where, $"the glyph id '{line[..5]}' is not a number");
            if (!int.TryParse(line.AsSpan(5, 3), out var pairs) || pairs < 1)
                throw new DataFormatException(file, where, $"the pair count '{line[5..8]}' is not a number of 1 or more");
            var body = line[8..];
            while (body.Length < 2 * pairs && reader.ReadLine() is { } continued)
            {
                number++;
                body += continued;
            }
            if (body.Length != 2 * pairs)
                throw new DataFormatException(file, where, $"the glyph announces {pairs} pairs ({2 * pairs} characters) but has {body.Length} characters");
            glyphs.Add(ParseGlyph(id, body, file, where));
        }
        return new HersheyFont(name, glyphs);
    }

    static HersheyGlyph ParseGlyph(int id, string body, string file, string where)
    {
        var strokes = new List<Stroke>();
        List<float> xs = [], ys = [];
        void EndStroke()
        {
            if (xs.Count > 0) strokes.Add(new Stroke(xs.ToArray(), ys.ToArray()));
            xs.Clear();
            ys.Clear();
        }
        for (var i = 0; i < body.Length; i += 2)
        {
            if (body[i] == ' ' && body[i + 1] == Origin && i > 0)
            {
                EndStroke();
                continue;
            }
            foreach (var c in body.AsSpan(i, 2))
                if (c is < '!' or > '~')
                    throw new DataFormatException(file, where, $"pair {i / 2} holds '{c}' (code {(int)c}); coordinates are '!' to '~' and ' ' only starts the pen-up pair \" R\"");
            if (i == 0) continue;
            xs.Add(body[i] - Origin);
            ys.Add(body[i + 1] - Origin);
        }
        EndStroke();
        return new HersheyGlyph(id, body[0] - Origin, body[1] - Origin, strokes);
    }
}
