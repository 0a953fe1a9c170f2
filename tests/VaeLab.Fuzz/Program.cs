using System.Globalization;
using VaeLab.Fuzz;

// Feeds every loader mutated copies of its fixture files and prints what became of them: accepted, refused with a
// clear error (a DataFormatException naming the file and the place), or anything else (another exception, a
// crash, a hang), the last being bugs. Exit code 1 when there was anything else.
//   VaeLab.Fuzz [--inputs N (10000)] [--seed S (1)] [--only FORMAT,...] [--hang SECONDS (60)] [--save FOLDER]
// --save keeps the inputs of "anything else" outcomes; input K of a format is the same for the same seed.
var options = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
int Number(string name, int fallback) => options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

var repository = TestRepository.Root;
var targets = Targets.All(repository);
var inputs = Number("inputs", 10_000);
var seed = Number("seed", 1);
options.TryGetValue("save", out var save);

if (options.TryGetValue("worker", out var name))
{
    // On a thread with a 1 MiB stack, less than the 1.5 MiB of the thread pool's threads where loaders often run,
    // so that recursion the input drives deep shows here first.
    var thread = new Thread(() => Worker.Run(targets.Single(t => t.Name == name), seed, Number("first", 0), inputs, options["folder"], save), 1 << 20);
    thread.Start();
    thread.Join();
    return 0;
}

var only = options.TryGetValue("only", out var list) ? list.Split(',') : null;
var unknown = only?.Except(targets.Select(t => t.Name)).ToList();
if (unknown is { Count: > 0 })
{
    Console.Error.WriteLine($"unknown format(s) {string.Join(", ", unknown)}; known: {string.Join(", ", targets.Select(t => t.Name))}");
    return 2;
}
var campaign = new Campaign(inputs, seed, TimeSpan.FromSeconds(Number("hang", 60)), save);
var clock = System.Diagnostics.Stopwatch.StartNew();
// Formats run side by side, one worker process each, as many at a time as there are cores.
using var cores = new SemaphoreSlim(Environment.ProcessorCount);
var tallies = await Task.WhenAll(targets.Where(t => only is null || only.Contains(t.Name)).Select(async target =>
{
    await cores.WaitAsync();
    try { return await campaign.RunAsync(target); }
    finally { cores.Release(); }
}));

Console.WriteLine($"{"format",-18} {"inputs",8} {"accepted",9} {"clear errors",13} {"anything else",14}");
foreach (var t in tallies) Console.WriteLine($"{t.Format,-18} {t.Inputs,8} {t.Accepted,9} {t.Clear,13} {t.Other,14}");
Console.WriteLine($"{"all",-18} {tallies.Sum(t => t.Inputs),8} {tallies.Sum(t => t.Accepted),9} {tallies.Sum(t => t.Clear),13} {tallies.Sum(t => t.Other),14}");
Console.WriteLine($"seed {seed}, {clock.Elapsed.TotalSeconds:F0} s on {Environment.ProcessorCount} cores");
foreach (var t in tallies)
    foreach (var example in t.Examples) Console.WriteLine($"{t.Format}: {example}");
return tallies.Any(t => t.Other > 0) ? 1 : 0;
