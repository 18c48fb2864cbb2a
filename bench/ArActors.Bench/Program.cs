using System.Globalization;
using System.Reflection;
using System.Text.Json;
using ArActors.Bench;

// dotnet run -c Release --project bench/ArActors.Bench -- [name ...] [--scale 0.1]
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var scale = 1.0;
var names = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--scale" && i + 1 < args.Length)
    {
        scale = double.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else
    {
        names.Add(args[i]);
    }
}

if (names.Count == 0)
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/ArActors.Bench -- <name|all> [--scale S]");
    foreach (var b in benchmarks)
    {
        Console.WriteLine($"  {b.Name,-24} {b.Description}");
    }

    return 1;
}

var selected = names.Contains("all") ? benchmarks : benchmarks.Where(b => names.Contains(b.Name)).ToList();
var unknown = names.Where(n => n != "all" && benchmarks.All(b => b.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}");
    return 2;
}

var context = new BenchContext(Environment.GetEnvironmentVariable("ARACTORS_BENCH_PG"), scale);
var results = new List<BenchResult>();
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    results.AddRange(await benchmark.RunAsync(context, CancellationToken.None));
}

Console.WriteLine();
Console.WriteLine($"{"benchmark",-22} {"metric",-34} {"value",14} {"unit",-8} {"baseline",-30} {"base value",14} {"ratio",7}");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Benchmark,-22} {r.Metric,-34} {r.Value,14:N1} {r.Unit,-8} {r.BaselineName ?? "",-30} {(r.Baseline is { } b ? b.ToString("N1", CultureInfo.InvariantCulture) : ""),14} {(r.Ratio is { } x ? x.ToString("N2", CultureInfo.InvariantCulture) : ""),7}"));
}

foreach (var r in results)
{
    Console.WriteLine(JsonSerializer.Serialize(new { r.Benchmark, r.Metric, r.Value, r.Unit, r.BaselineName, r.Baseline, r.Ratio }));
}

return 0;
