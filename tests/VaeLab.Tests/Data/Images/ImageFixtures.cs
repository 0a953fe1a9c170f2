using System.Text.Json;
using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

/// <summary>The files tests/fixtures/data/gen_images.py wrote (pypng, Pillow, numpy, torch, torchvision) and what they hold.</summary>
static class ImageFixtures
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "fixtures", "data", "images");

    static readonly Lazy<JsonElement> expected = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "expected.json"))).RootElement);

    public static JsonElement Expected => expected.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Directory, .. parts]);

    public static IEnumerable<object[]> Names(string section) =>
        Expected.GetProperty(section).EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static IEnumerable<object[]> Indices(string section) =>
        Enumerable.Range(0, Expected.GetProperty(section).GetArrayLength()).Select(i => new object[] { i });

    public static JsonElement Case(string section, string name) =>
        Expected.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>Decodes a file of the section and asserts the width, height and channels recorded for it.</summary>
    public static (DecodedImage Image, JsonElement Expected) DecodeAsRecorded(string section, string name, Func<string, DecodedImage> decode)
    {
        var expected = Case(section, name);
        var image = decode(PathOf(section, name));
        Assert.Equal(expected.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(expected.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(expected.GetProperty("channels").GetInt32(), image.Channels);
        return (image, expected);
    }

    /// <summary>Reads a damaged file of the section, which must fail naming the file; returns the error.</summary>
    public static DataFormatException Refused(string section, string name)
    {
        var path = PathOf(section, name);
        var error = Assert.Throws<DataFormatException>(() => ImageFile.Read(path));
        Assert.Equal(path, error.File);
        return error;
    }

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>A C x H x W tensor recorded as {"shape", "data"}.</summary>
    public static FloatImage Image(JsonElement tensor)
    {
        var shape = Ints(tensor.GetProperty("shape"));
        return new FloatImage(shape[0], shape[1], shape[2], tensor.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray());
    }

    /// <summary>A fresh folder under the temp directory, deleted on Dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Directory.CreateTempSubdirectory("vaelab-images-").FullName;

        public string File(params string[] parts)
        {
            var path = System.IO.Path.Combine([Path, .. parts]);
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            return path;
        }

        public void Dispose() => System.IO.Directory.Delete(Path, recursive: true);
    }
}
