using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Tests.Cluster;

/// <summary>Builds in-process clusters over this class's PostgreSQL database: own store and membership schemas per cluster.</summary>
internal static class PostgresClusters
{
    public static async Task<(MultiSiloTestCluster Cluster, PostgresMembershipTable Table, string StoreSchema)> CreateAsync(
        PostgresDatabase database, Action<MultiSiloTestClusterOptions>? configure = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var table = new PostgresMembershipTable(database.ConnectionString, "m_" + suffix);
        await table.InitializeAsync();
        var storeOptions = new PostgresStoreOptions { Schema = "s_" + suffix };
        ManualTimeProvider? clock = null;
        var options = new MultiSiloTestClusterOptions
        {
            MembershipTable = table,
            NextPort = FreePort.Next,

            // Each silo gets its own store instance over the same schema, as separate processes would.
            StoreFactory = () => new PostgresStore(database.ConnectionString, clock!, NullLogger<PostgresStore>.Instance, storeOptions),
        };
        options.GrainAssemblies.Add(typeof(PostgresClusters).Assembly);
        options.ConfigureSilo = silo =>
        {
            silo.ResponseTimeout = TimeSpan.FromSeconds(2);
            silo.ReminderMinimumPeriod = TimeSpan.Zero;
        };
        configure?.Invoke(options);
        var cluster = new MultiSiloTestCluster(options);
        clock = cluster.Clock;
        return (cluster, table, storeOptions.Schema);
    }

    /// <summary>A key whose placement puts it on <paramref name="silo"/> in <paramref name="ring"/>.</summary>
    public static string KeyOwnedBy(ConsistentHashRing ring, SiloAddress silo, string prefix)
    {
        for (var i = 0; ; i++)
        {
            var key = $"{prefix}-{Guid.NewGuid():N}-{i}";
            if (ring.Owner(GrainHash.OfGrainKey(key)) == silo)
            {
                return key;
            }
        }
    }
}
