namespace VaeLab.Data.Images;

/// <summary>Reads JPEG and PNG files, told apart by their first bytes rather than their names.</summary>
public static class ImageFile
{
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png"];

    public static DecodedImage Read(string path) => Decode(File.ReadAllBytes(path), path);

    public static DecodedImage Decode(ReadOnlySpan<byte> data, string name) =>
        JpegDecoder.IsJpeg(data) ? JpegDecoder.Decode(data, name)
        : PngDecoder.IsPng(data) ? PngDecoder.Decode(data, name)
        : throw new DataFormatException(name, "header", data.IsEmpty ? "the file is empty" : "neither a JPEG nor a PNG file (by its first bytes)");

    /// <summary>Whether <paramref name="path"/> has the name of an image file (<see cref="Extensions"/>, any case).</summary>
    public static bool HasImageExtension(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());
}
