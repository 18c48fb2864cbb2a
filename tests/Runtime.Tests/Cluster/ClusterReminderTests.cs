using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Xunit.Abstractions;

namespace ArActors.Runtime.Tests.Cluster;

/// <summary>Reminders are delivered by the owner of the grain's hash range; a dead owner's reminders move to the survivors.</summary>
public sealed class ClusterReminderTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private MultiSiloTestCluster _cluster = null!;
    private PostgresMembershipTable _table = null!;

    public async Task InitializeAsync()
    {
        (_cluster, _table, _) = await PostgresClusters.CreateAsync(database);
        for (var i = 0; i < 3; i++)
        {
            await _cluster.StartSiloAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _table.DisposeAsync();
    }

    [Fact]
    public async Task Each_reminder_fires_once_on_the_silo_owning_its_grain()
    {
        var prefix = Clusters.NewKey("owned");
        var keys = Enumerable.Range(0, 30).Select(i => $"{prefix}-{i}").ToList();
        var start = _cluster.Clock.GetUtcNow();
        foreach (var key in keys)
        {
            await _cluster.Silos[0].GetGrain<IClusterTickGrain>(key).Start(TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(10));
        }

        await _cluster.AdvanceAsync(TimeSpan.FromSeconds(22), Step);

        var ticks = ClusterTickGrain.Ticks.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), ticks.Select(t => t.Key).Order(StringComparer.Ordinal));
        var ring = _cluster.Silos[0].Cluster!.Ring;
        Assert.All(ticks, t => Assert.Equal(ring.Owner(GrainHash.OfGrainKey(t.Key)).Endpoint, t.Silo));
        Assert.Equal(3, ticks.Select(t => t.Silo).Distinct().Count());
        Assert.All(ticks, t => Assert.Equal(start + TimeSpan.FromSeconds(20), t.Scheduled));
    }

    [Fact]
    public async Task A_dead_silos_due_reminders_fire_on_the_survivors_within_one_detection_period_plus_one_tick()
    {
        var prefix = Clusters.NewKey("failover");
        var keys = Enumerable.Range(0, 30).Select(i => $"{prefix}-{i}").ToList();
        var victim = _cluster.Silos[2];
        var ring = victim.Cluster!.Ring;
        var victimKeys = keys.Where(k => ring.Owner(GrainHash.OfGrainKey(k)) == victim.Cluster.Self).ToHashSet();
        Assert.NotEmpty(victimKeys);
        foreach (var key in keys)
        {
            await _cluster.Silos[0].GetGrain<IClusterTickGrain>(key).Start(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10));
        }

        await _cluster.AdvanceAsync(TimeSpan.FromSeconds(9), Step);
        var killedAt = _cluster.Clock.GetUtcNow();
        await _cluster.KillSiloAsync(victim);

        var survivors = _cluster.Running.Select(s => s.Cluster!.Self.Endpoint).ToHashSet();
        var elapsed = await _cluster.AdvanceUntilAsync(
            () => victimKeys.All(k => ClusterTickGrain.Ticks.Any(t => t.Key == k)), TimeSpan.FromSeconds(30), Step);

        Assert.NotNull(elapsed);
        var ticks = ClusterTickGrain.Ticks.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var moved = ticks.Where(t => victimKeys.Contains(t.Key)).ToList();
        Assert.Equal(victimKeys.Count, moved.Count);
        Assert.All(moved, t => Assert.Contains(t.Silo, survivors));

        // Detection: dead <= 5 s after the last heartbeat, known to all <= 6 s; then one refresh and one step.
        var membership = new MembershipOptions();
        var budget = membership.SuspectAfter + (3 * membership.HeartbeatPeriod) + Step;
        output.WriteLine($"{moved.Count} moved reminders; last fired {moved.Max(t => t.DeliveredAt) - killedAt} after the kill, due 1 s after it");
        Assert.All(moved, t => Assert.True(t.DeliveredAt - killedAt <= budget, $"{t.Key} fired {t.DeliveredAt - killedAt} after the kill (budget {budget})"));

        // The others fired on time on their (surviving) owners, once each.
        Assert.Equal(keys.Count, ticks.Select(t => t.Key).Distinct().Count());
        Assert.Equal(keys.Count, ticks.Count);
    }
}
