namespace VaeLab.Data.Strokes;

/// <summary>
/// Model-ready sketches (normalised stroke-3 or stroke-6 rows) with their labels in three splits, the class names, and
/// the scale fitted on the training split, which <see cref="StrokeScale.Denormalize"/> uses to bring drawings back to
/// canvas units (and milliseconds). Made by <see cref="DrawingSplits.ToStroke3"/> and <see cref="DrawingSplits.ToStroke6"/>.
/// </summary>
public sealed record SketchSplits<T>(IReadOnlyList<(T Sketch, int Label)> Train, IReadOnlyList<(T Sketch, int Label)> Valid,
    IReadOnlyList<(T Sketch, int Label)> Test, IReadOnlyList<string> Classes, StrokeScale Scale) where T : StrokeRows
{
    public IReadOnlyList<T> TrainSketches => Train.Select(e => e.Sketch).ToList();
    public IReadOnlyList<T> ValidSketches => Valid.Select(e => e.Sketch).ToList();
    public IReadOnlyList<T> TestSketches => Test.Select(e => e.Sketch).ToList();

    /// <summary>The longest sketch of all splits, in rows: magenta sets max_seq_len to it.</summary>
    public int LongestSketch => Train.Concat(Valid).Concat(Test).Max(e => e.Sketch.Length);

    /// <summary>The sketches of one class only, with the same class names and scale (seed 003 trains a draw model per category).</summary>
    public SketchSplits<T> OfClass(int label)
    {
        if ((uint)label >= Classes.Count) throw new ArgumentOutOfRangeException(nameof(label), label, $"classes are 0..{Classes.Count - 1}");
        return this with { Train = Only(Train, label), Valid = Only(Valid, label), Test = Only(Test, label) };
    }

    static List<(T Sketch, int Label)> Only(IEnumerable<(T Sketch, int Label)> split, int label) => split.Where(e => e.Label == label).ToList();
}
