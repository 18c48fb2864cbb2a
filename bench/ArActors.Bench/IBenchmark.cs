namespace ArActors.Bench;

/// <summary>One benchmark, run by name. It measures its raw baseline in the same run and prints both.</summary>
public interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    /// <summary>Runs and returns result rows; each row is printed in the table and as one JSON line.</summary>
    Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken);
}

/// <summary>A measured figure next to its baseline; Ratio is Value / Baseline.</summary>
public sealed record BenchResult(string Benchmark, string Metric, double Value, string Unit, string? BaselineName = null, double? Baseline = null)
{
    public double? Ratio => Baseline is > 0 ? Value / Baseline : null;
}

/// <summary>What every benchmark may need: the PostgreSQL server to use (ARACTORS_BENCH_PG) and a scale knob.</summary>
public sealed record BenchContext(string? PostgresConnectionString, double Scale);
