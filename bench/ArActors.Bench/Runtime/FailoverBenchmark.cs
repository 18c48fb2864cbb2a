using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ArActors.Runtime;
using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Bench.Runtime;

public sealed record FailoverCount(int Value);

public interface IFailoverGrain : IGrainWithStringKey
{
    Task<int> Add(int amount);
}

/// <summary>A stored counter: the grain that moves must come back with what it had written.</summary>
public sealed class FailoverGrain([PersistentState("failover")] IPersistentState<FailoverCount> count) : Grain, IFailoverGrain
{
    public async Task<int> Add(int amount)
    {
        if (amount != 0)
        {
            count.State = new FailoverCount((count.State?.Value ?? 0) + amount);
            await count.WriteStateAsync();
        }

        return count.State?.Value ?? 0;
    }
}

/// <summary>
/// Failover time with the default membership settings, on the wall clock: three in-process silos over one PostgreSQL
/// database (membership table and grain state), 20 grains owned by the third silo written through the first, then the
/// third is killed (no heartbeat, endpoint gone, no leave). The first silo calls every moved grain every 50 ms until
/// each answers with its stored count. Reported: kill to first successful call, kill to all 20, and next to them, from
/// the same run, kill to the row being Dead in the table (the detection part, polled every 50 ms).
/// </summary>
public sealed class FailoverBenchmark : IBenchmark
{
    private const int Grains = 20;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public string Name => "cluster-failover";

    public string Description => "kill -> first successful call on a moved grain, default membership settings, 3 silos on PostgreSQL (wall clock)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        if (context.PostgresConnectionString is not { Length: > 0 } postgres)
        {
            Console.WriteLine("   ARACTORS_BENCH_PG is not set: skipping (failover needs a shared store).");
            return [];
        }

        var runs = Math.Max(1, (int)Math.Round(3 * Math.Min(context.Scale, 1)));
        var first = new List<double>();
        var all = new List<double>();
        var dead = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var (firstMs, allMs, deadMs) = await OneRunAsync(postgres, cancellationToken);
            Console.WriteLine($"   run {run + 1}: declared dead {deadMs:N0} ms, first moved grain answered {firstMs:N0} ms, all {Grains} {allMs:N0} ms after the kill");
            first.Add(firstMs);
            all.Add(allMs);
            dead.Add(deadMs);
        }

        return
        [
            new(Name, "kill -> first call on moved grain (median)", Median(first), "ms", "kill -> declared dead in table", Median(dead)),
            new(Name, $"kill -> all {Grains} moved grains (median)", Median(all), "ms", "kill -> declared dead in table", Median(dead)),
            new(Name, "kill -> first call, worst run", first.Max(), "ms"),
        ];
    }

    private static async Task<(double FirstMs, double AllMs, double DeadMs)> OneRunAsync(string postgres, CancellationToken cancellationToken)
    {
        var schema = "failover_" + Guid.NewGuid().ToString("N")[..10];
        try
        {
            return await MeasureAsync(postgres, schema, cancellationToken);
        }
        finally
        {
            // After the cluster is disposed (its silos leave through this schema).
            await using var drop = Npgsql.NpgsqlDataSource.Create(postgres);
            await using var command = drop.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<(double FirstMs, double AllMs, double DeadMs)> MeasureAsync(string postgres, string schema, CancellationToken cancellationToken)
    {
        await using var table = new PostgresMembershipTable(postgres, schema);
        var options = new MultiSiloTestClusterOptions
        {
            StoreFactory = () => new PostgresStore(postgres, TimeProvider.System, NullLogger<PostgresStore>.Instance, new PostgresStoreOptions { Schema = schema }),
            MembershipTable = table,
            NextPort = NextPort,
            TimeProvider = TimeProvider.System,
        };
        options.GrainAssemblies.Add(typeof(FailoverGrain).Assembly);
        await using var cluster = new MultiSiloTestCluster(options);
        var a = await cluster.StartSiloAsync();
        await cluster.StartSiloAsync();
        var c = await cluster.StartSiloAsync();
        var keys = KeysOwnedBy(a.Cluster!.Ring, c.Cluster!.Self, Grains);
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            await a.GetGrain<IFailoverGrain>(key).Add(i + 1);
        }

        var victim = c.Cluster.Self;
        var clock = Stopwatch.StartNew();
        await cluster.KillSiloAsync(c);
        var answered = new double?[Grains];
        double? deadAt = null;
        while ((answered.Any(x => x is null) || deadAt is null) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deadAt is null && (await table.ReadAllAsync(cancellationToken)).Find(victim)?.Entry.Status == SiloStatus.Dead)
            {
                deadAt = clock.Elapsed.TotalMilliseconds;
            }

            await Task.WhenAll(keys.Select(async (key, i) =>
            {
                if (answered[i] is not null)
                {
                    return;
                }

                try
                {
                    var value = await a.GetGrain<IFailoverGrain>(key).Add(0);
                    answered[i] = value == i + 1
                        ? clock.Elapsed.TotalMilliseconds
                        : throw new InvalidOperationException($"{key} came back with {value}, stored {i + 1}.");
                }
                catch (Exception e) when (e is SiloUnavailableException or SiloNotServingException or TimeoutException or ArActors.Runtime.Clustering.Forwarding.GrainNotOwnedException)
                {
                    // Still routed to the dead silo: try again next poll.
                }
            }));
            await Task.Delay(Poll, cancellationToken);
        }

        if (answered.Any(x => x is null) || deadAt is null)
        {
            throw new InvalidOperationException("Failover did not complete within 60 s.");
        }

        return (answered.Min(x => x!.Value), answered.Max(x => x!.Value), deadAt.Value);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static List<string> KeysOwnedBy(ConsistentHashRing ring, SiloAddress silo, int count)
    {
        var keys = new List<string>(count);
        for (var i = 0; keys.Count < count; i++)
        {
            var key = $"failover-{i}";
            if (ring.Owner(GrainHash.OfGrainKey(key)) == silo)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static int NextPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
