using TorchSharp;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Data.Strokes;

/// <summary>
/// Sequences padded into one tensor for a model, as sketch-rnn's pad_batch builds them: B x (Nmax + 1) x W float32,
/// row 0 the start token, rows 1..L the sequence, the rest padding rows with only the end flag set. The model reads
/// rows 0..Nmax-1 and predicts rows 1..Nmax; <see cref="Mask"/> marks the predicted rows that are data.
/// </summary>
public sealed class StrokeBatch : IBatch, IDisposable
{
    StrokeBatch(Tensor strokes, long[] lengths, Tensor mask)
    {
        Strokes = strokes;
        Lengths = lengths;
        Mask = mask;
    }

    /// <summary>B x (Nmax + 1) x W float32: stroke-5 (W = 5) or stroke-6 (W = 6) rows.</summary>
    public Tensor Strokes { get; }

    /// <summary>Rows of data per sequence, start token not counted.</summary>
    public long[] Lengths { get; }

    /// <summary>B x Nmax float32: 1 where row t + 1 of <see cref="Strokes"/> is data, 0 where it is padding.</summary>
    public Tensor Mask { get; }

    public long Nmax => Mask.shape[1];

    /// <summary>The rows and the mask on <paramref name="device"/>, for a model there; the lengths stay host numbers, as
    /// packing sequences wants them.</summary>
    public StrokeBatch to(Device device) => new(Strokes.to(device), Lengths, Mask.to(device));

    IBatch IBatch.to(Device device) => to(device);

    /// <summary>Stroke-3 sequences as stroke-5 rows after the start token [0,0,1,0,0]; Nmax defaults to the longest.</summary>
    public static StrokeBatch FromStroke3(IReadOnlyList<Stroke3> sequences, int? nmax = null) =>
        Create(sequences.Select(s => (StrokeRows)s.ToStroke5()).ToList(), Stroke5.StartToken, nmax);

    /// <summary>Stroke-6 sequences after the all-zero start token; Nmax defaults to the longest.</summary>
    public static StrokeBatch FromStroke6(IReadOnlyList<Stroke6> sequences, int? nmax = null) =>
        Create([.. sequences], Stroke6.StartToken, nmax);

    static StrokeBatch Create(IReadOnlyList<StrokeRows> sequences, float[] startToken, int? nmax)
    {
        if (sequences.Count == 0) throw new ArgumentException("a batch needs at least one sequence", nameof(sequences));
        var longest = sequences.Max(s => s.Length);
        var rows = nmax ?? longest;
        if (rows < longest) throw new ArgumentOutOfRangeException(nameof(nmax), nmax, $"shorter than the longest sequence ({longest} rows)");
        var width = startToken.Length;
        var data = new float[sequences.Count * (rows + 1) * width];
        var mask = new float[sequences.Count * rows];
        for (var b = 0; b < sequences.Count; b++)
        {
            var sequence = sequences[b].Data;
            var block = data.AsSpan(b * (rows + 1) * width, (rows + 1) * width);
            startToken.CopyTo(block);
            sequence.CopyTo(block[width..]);
            for (var row = 1 + sequences[b].Length; row <= rows; row++) block[row * width + width - 1] = 1;
            mask.AsSpan(b * rows, sequences[b].Length).Fill(1);
        }
        return new StrokeBatch(
            torch.tensor(data, [sequences.Count, rows + 1, width]),
            sequences.Select(s => (long)s.Length).ToArray(),
            torch.tensor(mask, [sequences.Count, rows]));
    }

    public void Dispose()
    {
        Strokes.Dispose();
        Mask.Dispose();
    }
}
