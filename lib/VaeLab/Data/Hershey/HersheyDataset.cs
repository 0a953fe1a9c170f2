using VaeLab.Data.QuickDraw;
using VaeLab.Data.Strokes;
namespace VaeLab.Data.Hershey;

/// <summary>
/// Labelled drawings from Hershey font glyphs, needing no download: each class is a character, each sample its
/// glyph in one of several fonts, optionally distorted by a seeded <see cref="StrokeJitter"/> so that a CVAE or
/// Sketch-RNN sees hundreds of samples per class. A sample's <see cref="Drawing.Word"/> is its character. Samples
/// are made on access, the same ones for the same seed; sample <c>(font f, character c, copy k)</c> sits at index
/// <c>(c * fonts + f) * copies + k</c>.
/// </summary>
public sealed class HersheyDataset : IReadOnlyList<Drawing>
{
    public const string Digits = "0123456789";
    public const string Uppercase = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    public const string Lowercase = "abcdefghijklmnopqrstuvwxyz";

    readonly IReadOnlyList<HersheyFont> fonts;
    readonly int copies;
    readonly StrokeJitter? jitter;
    readonly bool quickDrawCanvas;
    readonly int seed;

    /// <param name="fonts">Fonts with ASCII glyphs (see <see cref="HersheyFont.LatinFonts"/>).</param>
    /// <param name="characters">The classes, in label order.</param>
    /// <param name="copies">Samples per glyph and font; more than one only makes sense with a jitter.</param>
    /// <param name="jitter">The distortion of every sample; none keeps the glyphs as drawn.</param>
    /// <param name="quickDrawCanvas">Place each sample as QuickDraw's simplified data (<see cref="QuickDrawCanvas.Fit"/>) instead of in font units.</param>
    /// <param name="seed">Seeds the jitter; sample i always gets the same distortion for the same seed.</param>
    public HersheyDataset(IEnumerable<HersheyFont> fonts, string characters, int copies = 1, StrokeJitter? jitter = null,
        bool quickDrawCanvas = false, int seed = 0)
    {
        this.fonts = fonts.ToList();
        if (this.fonts.Count == 0) throw new ArgumentException("needs at least one font", nameof(fonts));
        if (characters.Length == 0) throw new ArgumentException("needs at least one character", nameof(characters));
        if (characters.Distinct().Count() != characters.Length) throw new ArgumentException($"'{characters}' repeats a character", nameof(characters));
        if (copies < 1) throw new ArgumentOutOfRangeException(nameof(copies), copies, "must be 1 or more");
        foreach (var font in this.fonts)
            foreach (var c in characters)
                if (font[c].Strokes.Count == 0)
                    throw new ArgumentException($"font {font.Name} draws nothing for '{c}'", nameof(characters));
        Classes = characters.Select(c => c.ToString()).ToList();
        this.copies = copies;
        this.jitter = jitter;
        this.quickDrawCanvas = quickDrawCanvas;
        this.seed = seed;
    }

    /// <summary>Loads <paramref name="fontNames"/> from the Debian package (default: all of <see cref="HersheyFont.LatinFonts"/>).</summary>
    public static HersheyDataset FromDebianFonts(string characters, IEnumerable<string>? fontNames = null, int copies = 1,
        StrokeJitter? jitter = null, bool quickDrawCanvas = false, int seed = 0) =>
        new((fontNames ?? HersheyFont.LatinFonts).Select(name => HersheyFont.Load(name)), characters, copies, jitter, quickDrawCanvas, seed);

    /// <summary>The characters, as strings; a label is an index into this list.</summary>
    public IReadOnlyList<string> Classes { get; }

    public int Count => Classes.Count * fonts.Count * copies;

    public int Label(int index) => CheckIndex(index) / (fonts.Count * copies);

    public Drawing this[int index]
    {
        get
        {
            var label = Label(index);
            var font = fonts[index / copies % fonts.Count];
            var character = Classes[label];
            var strokes = font[character[0]].Strokes;
            // One generator per sample, so that any sample can be made alone and in any order.
            if (jitter is not null) strokes = jitter.Apply(strokes, new Random(unchecked(seed * 1_000_003 + index)));
            if (quickDrawCanvas) strokes = QuickDrawCanvas.Fit(strokes);
            return new Drawing($"{font.Name}/{(int)character[0]}/{index % copies}", character, "", true, null, strokes);
        }
    }

    int CheckIndex(int index) =>
        index >= 0 && index < Count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"the dataset has {Count} samples");

    public IEnumerator<Drawing> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
