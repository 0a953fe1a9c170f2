using System.Diagnostics;
using System.Text.RegularExpressions;

namespace VaeLab.Tests.Data;

/// <summary>
/// A short run of the fuzzer (tests/VaeLab.Fuzz, which `make fuzz` runs long) per loader: 500 seeded mutations of its
/// fixture files, each read in a worker process that a crash or a hang cannot take the tests down with. Every input
/// must be read or refused with a DataFormatException naming the file and a place in it: nothing else.
/// </summary>
public partial class FuzzTests
{
    const int Inputs = 500;

    [Theory]
    [InlineData("npy")]
    [InlineData("npz")]
    [InlineData("quickdraw-ndjson")]
    [InlineData("quickdraw-bin")]
    [InlineData("quickdraw-bitmap")]
    [InlineData("idx")]
    [InlineData("cifar")]
    [InlineData("png")]
    [InlineData("jpeg")]
    [InlineData("safetensors")]
    [InlineData("hershey")]
    public async Task DamagedFilesAreReadOrRefusedWithAClearError(string format)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "VaeLab.Fuzz.dll"), "--only", format, "--inputs", $"{Inputs}", "--hang", "30" })
            start.ArgumentList.Add(argument);
        using var fuzzer = Process.Start(start)!;
        var error = fuzzer.StandardError.ReadToEndAsync();
        var output = await fuzzer.StandardOutput.ReadToEndAsync();
        await fuzzer.WaitForExitAsync();
        var row = Row().Match(output);
        Assert.True(fuzzer.ExitCode == 0 && row.Success, $"{format}: exit code {fuzzer.ExitCode}\n{output}\n{await error}");
        Assert.Equal(Inputs, int.Parse(row.Groups["inputs"].Value));
        // Both outcomes must occur, or the mutations test nothing.
        Assert.True(int.Parse(row.Groups["accepted"].Value) > 0 && int.Parse(row.Groups["clear"].Value) > 0, output);
    }

    [GeneratedRegex(@"^all\s+(?<inputs>\d+)\s+(?<accepted>\d+)\s+(?<clear>\d+)\s+(?<other>\d+)", RegexOptions.Multiline)]
    private static partial Regex Row();
}
