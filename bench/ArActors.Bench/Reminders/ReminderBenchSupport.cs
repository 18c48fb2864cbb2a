using System.Globalization;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ArActors.Bench.Reminders;

internal static class ReminderBenchSupport
{
    public const string TickGrainType = "bench-tick";

    /// <summary>A silo over a store the caller owns, with this assembly's grains, the given clock and options.</summary>
    public static ServiceProvider BuildSilo(IDurableStore store, TimeProvider clock, Action<SiloOptions>? configure = null, TickLog? log = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddSingleton(log ?? new TickLog());
        if (Environment.GetEnvironmentVariable("ARACTORS_BENCH_TRACE") == "1")
        {
            services.AddSingleton<ILoggerFactory, ScanTrace>();
        }

        services.AddArActorsSilo(silo => silo.AddGrains(typeof(ReminderBenchSupport).Assembly).AddStore(SiloOptions.DefaultStorageName, store)
            .Configure(o => configure?.Invoke(o)));
        return services.BuildServiceProvider();
    }

    /// <summary>GC heap after a full collection and the process working set, in MiB.</summary>
    public static (double HeapMiB, double WorkingSetMiB) Memory()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        GC.WaitForPendingFinalizers();
        heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return (heap / 1048576.0, process.WorkingSet64 / 1048576.0);
    }

    public static string NewSchema() => "bench_" + Guid.NewGuid().ToString("N")[..12];

    public static async Task DropSchemaAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>The value at quantile q (0..1) of sorted values, nearest rank.</summary>
    public static double Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static string F(double value, string format = "N1") => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>ARACTORS_BENCH_TRACE=1: prints the runtime's reminder scan lines (pages, rows, held, time) with a wall-clock stamp.</summary>
internal sealed class ScanTrace : ILoggerFactory, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        if (message.StartsWith("Reminder scan", StringComparison.Ordinal) || logLevel >= LogLevel.Warning)
        {
            Console.WriteLine($"   {TimeProvider.System.GetUtcNow():HH:mm:ss.fff} {message}");
        }
    }

    public void Dispose()
    {
    }
}
