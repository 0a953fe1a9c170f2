using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;

namespace VaeLab.Cli.Tests;

/// <summary>`vaelab demo` on a tiny Fashion-MNIST-shaped data set written here as IDX files.</summary>
public sealed class DemoTests : IDisposable
{
    readonly string data = Directory.CreateTempSubdirectory("vaelab-demo-").FullName;
    readonly byte[] train = Pixels(24, seed: 1), test = Pixels(10, seed: 2);

    public DemoTests()
    {
        WriteSplit("train", train);
        WriteSplit("t10k", test);
    }

    public void Dispose() => Directory.Delete(data, recursive: true);

    static byte[] Pixels(int images, int seed)
    {
        var bytes = new byte[images * 28 * 28];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // IDX as the format defines it: 00 00, type 08 (unsigned byte), the number of dimensions, each as big-endian uint32, then the bytes.
    void WriteSplit(string prefix, byte[] pixels)
    {
        var count = pixels.Length / (28 * 28);
        File.WriteAllBytes(Path.Combine(data, $"{prefix}-images-idx3-ubyte"), [.. Header(3, count, 28, 28), .. pixels]);
        File.WriteAllBytes(Path.Combine(data, $"{prefix}-labels-idx1-ubyte"), [.. Header(1, count), .. new byte[count]]);
    }

    static byte[] Header(byte dimensions, params int[] sizes)
    {
        var header = new byte[4 + 4 * sizes.Length];
        header[2] = 0x08;
        header[3] = dimensions;
        for (var i = 0; i < sizes.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), sizes[i]);
        return header;
    }

    [Fact]
    public async Task TrainsLogsTheLossAndComparesTheHeldOutErrorWithTheMeanImage()
    {
        var result = await Vaelab.Run("demo", "--data", data, "--steps", "4", "--batch-size", "8", "--latent", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Fashion-MNIST: 24 training and 10 held-out images (28x28, padded to 32x32)", result.Output);
        Assert.Contains("training a convolutional VAE (latent 2) for 4 steps of batch 8", result.Output);
        // One line per step when there are fewer than ten; the epoch is the fraction of the 24 images seen.
        for (var step = 1; step <= 4; step++)
            Assert.Matches($@"step +{step} +epoch +{step * 8 / 24.0:F2} +loss/image +\d+\.\d\d +\(KL +\d+\.\d\d\)", result.Output);

        // The baseline, computed here from the bytes: every test pixel against the mean of the training images at its place.
        var mean = Enumerable.Range(0, 784).Select(p => Enumerable.Range(0, 24).Average(i => train[i * 784 + p] / 255.0)).ToArray();
        var meanMse = Enumerable.Range(0, test.Length).Average(i => Math.Pow(test[i] / 255.0 - mean[i % 784], 2));
        var line = Regex.Match(result.Output, @"held-out reconstruction MSE per pixel: (\d\.\d{4}); predicting the mean training image instead: (\d\.\d{4})");
        Assert.True(line.Success, result.Output);
        Assert.Equal(meanMse.ToString("F4", CultureInfo.InvariantCulture), line.Groups[2].Value);
        var modelMse = double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(modelMse, 0.0001, 1);
    }

    [Fact]
    public async Task MissingDataExitsWith1AndNamesThePackage()
    {
        var result = await Vaelab.Run("demo", "--data", Path.Combine(data, "absent"), "--steps", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("dataset-fashion-mnist", result.Error);
        Assert.Contains(Path.Combine(data, "absent", "train-images-idx3-ubyte"), result.Error);
    }

    [Fact]
    public async Task ADamagedFileExitsWith1AndNamesIt()
    {
        var images = Path.Combine(data, "t10k-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..100]);

        var result = await Vaelab.Run("demo", "--data", data, "--steps", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(images, result.Error);
        Assert.Contains("truncated", result.Error);
    }

    [Theory]
    [InlineData("--batch-size", "25", "--batch-size 25 exceeds the 24 training images")]
    [InlineData("--steps", "0", "--steps must be a positive integer, not '0'")]
    [InlineData("--latent", "x", "--latent must be a positive integer, not 'x'")]
    public async Task BadOptionsExitWith2(string option, string value, string message)
    {
        var result = await Vaelab.Run("demo", "--data", data, option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }
}
