using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ArActors.Grains.Accounts;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using static ArActors.Bench.Reminders.ReminderBenchSupport;

namespace ArActors.Bench.Worklist;

/// <summary>
/// Top-50 of a collector whose worklist holds 10,000 accounts, as a grain call on a silo (the queue grain activated from
/// its stored state), next to taking the first 50 of an already sorted array of the same entries.
/// </summary>
public sealed class WorklistBenchmark : IBenchmark
{
    private const int Top = 50;

    public string Name => "worklist";

    public string Description => "worklist top-50 of a 10,000-account collector (grain call) p50/p99 vs a raw sorted-array top-50";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var accounts = Math.Max(1_000, (int)(10_000 * context.Scale));
        var calls = 20_000;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var random = new Random(10);
        var entries = Enumerable.Range(0, accounts).Select(i =>
        {
            var inputs = new PriorityInputs(
                Math.Round((decimal)random.NextDouble() * 50_000m, 2),
                today.AddDays(-random.Next(0, 200)),
                (CustomerSegment)random.Next(4),
                BrokenPromises: random.Next(10) == 0 ? 1 : 0);
            return new WorklistEntry($"WL-{i:D5}", $"Customer {i}", i % 2 == 0 ? "north" : "south", "EUR", inputs, Priority.Score(inputs, today), today);
        }).ToImmutableDictionary(e => e.CustomerId);

        var services = new ServiceCollection();
        services.AddArActorsSilo(silo => silo.AddGrains(typeof(CollectorQueueGrain).Assembly).UseInMemoryStore());
        await using var provider = services.BuildServiceProvider();
        var silo = provider.GetRequiredService<Silo>();
        await silo.StartAsync(cancellationToken);
        var store = provider.GetRequiredService<IDurableStore>();
        var state = new CollectorQueueState { Entries = entries, Versions = entries.ToImmutableDictionary(e => e.Key, _ => 1L) };
        await store.WriteStateAsync(new GrainStateId("collector-queue", "bench-collector", "collector-queue"), JsonSerializer.SerializeToUtf8Bytes(state, silo.SerializerOptions), null, [], cancellationToken);

        var queue = silo.GetGrain<ICollectorQueueGrain>("bench-collector");
        var activation = Stopwatch.StartNew();
        var first = await queue.Top(Top, null);
        Console.WriteLine($"   activation with {first.Total:N0} entries and the first top-{Top}: {activation.Elapsed.TotalMilliseconds:N1} ms");

        var grain = await MeasureAsync(calls, async () => (await queue.Top(Top, null)).Entries.Length);
        var teamLead = await MeasureAsync(calls / 10, async () => (await queue.Top(Top, "south")).Entries.Length);

        // Baseline: the same entries in an array sorted by the same order; top-50 is a copy of its first 50.
        var sorted = entries.Values.OrderByDescending(e => e.Score.Total).ThenBy(e => e.Inputs.OldestPastDueDate).ThenBy(e => e.CustomerId, StringComparer.Ordinal).ToArray();
        var raw = await MeasureAsync(calls, () => Task.FromResult(ImmutableArray.Create(sorted, 0, Top).Length));
        if (!first.Entries.Select(e => e.CustomerId).SequenceEqual(sorted.Take(Top).Select(e => e.CustomerId)))
        {
            throw new InvalidOperationException("the grain's top-50 differs from the sorted baseline's");
        }

        await silo.StopAsync(cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"   grain Top(50): p50 {Quantile(grain, 0.5) * 1000:N1} us, p99 {Quantile(grain, 0.99) * 1000:N1} us; team lead (portfolio filter) p99 {Quantile(teamLead, 0.99) * 1000:N1} us; sorted array p99 {Quantile(raw, 0.99) * 1000:N2} us"));
        return
        [
            new BenchResult(Name, $"top-{Top} of {accounts:N0} p50", Quantile(grain, 0.5) * 1000, "us", "sorted-array top-50 p50", Quantile(raw, 0.5) * 1000),
            new BenchResult(Name, $"top-{Top} of {accounts:N0} p99", Quantile(grain, 0.99) * 1000, "us", "sorted-array top-50 p99", Quantile(raw, 0.99) * 1000),
            new BenchResult(Name, $"team lead top-{Top} (filter) p99", Quantile(teamLead, 0.99) * 1000, "us", "sorted-array top-50 p99", Quantile(raw, 0.99) * 1000),
        ];
    }

    /// <summary>Sequential calls; returns each call's latency in ms, sorted.</summary>
    private static async Task<double[]> MeasureAsync(int count, Func<Task<int>> call)
    {
        for (var i = 0; i < count / 10; i++)
        {
            await call();
        }

        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            if (await call() != Top)
            {
                throw new InvalidOperationException($"top-{Top} returned another count");
            }

            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(latencies);
        return latencies;
    }
}
