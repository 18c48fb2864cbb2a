using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Forwarding;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Testing;
using ArActors.Runtime.Tests.Clustering;
using ArActors.TestKit;

namespace ArActors.Runtime.Tests.Cluster;

/// <summary>What happens to calls, state and serving when membership changes: joins, stale views, cut-off and dead silos.</summary>
public sealed class MembershipChangeTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private MultiSiloTestCluster _cluster = null!;
    private PostgresMembershipTable _table = null!;
    private string _storeSchema = "";

    public async Task InitializeAsync() => (_cluster, _table, _storeSchema) = await PostgresClusters.CreateAsync(database);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _table.DisposeAsync();
    }

    [Fact]
    public async Task A_caller_with_a_stale_view_is_told_not_owner_refreshes_and_reaches_the_new_owner()
    {
        var a = await _cluster.StartSiloAsync();
        var b = await _cluster.StartSiloAsync();
        var c = await _cluster.StartSiloAsync(refreshOthers: false);
        await b.Cluster!.RefreshAsync();
        var staleRing = a.Cluster!.Ring;
        Assert.Equal(2, staleRing.Silos.Length);

        // Owned by B in A's stale view and by C in the current one.
        var key = KeyWhere(k => staleRing.Owner(GrainHash.OfGrainKey(k)) == b.Cluster.Self && c.Cluster!.Ring.Owner(GrainHash.OfGrainKey(k)) == c.Cluster.Self);
        var served = await a.GetGrain<ITallyGrain>(key).Apply("op-1");

        Assert.Equal(c.Cluster!.Self.Endpoint, served.Silo);
        Assert.Equal(1, served.Tally.Count);
        Assert.Equal(3, a.Cluster.Ring.Silos.Length);
        Assert.False(b.IsActive(a.GetGrainId<ITallyGrain>(key)));
    }

    [Fact]
    public async Task A_duplicate_activation_left_by_a_membership_change_loses_its_write_and_no_update_is_lost_or_doubled()
    {
        var a = await _cluster.StartSiloAsync();
        await _cluster.StartSiloAsync();
        var c = await _cluster.StartSiloAsync(refreshOthers: false);
        var oldRing = a.Cluster!.Ring;
        var key = KeyWhere(k => oldRing.Owner(GrainHash.OfGrainKey(k)) == a.Cluster.Self && c.Cluster!.Ring.Owner(GrainHash.OfGrainKey(k)) == c.Cluster.Self);
        var grain = a.GetGrainId<ITallyGrain>(key);

        // A still believes it owns the grain and activates it; C (newer view) activates it too.
        Assert.Equal(a.Cluster.Self.Endpoint, (await a.GetGrain<ITallyGrain>(key).Apply("op-1")).Silo);
        Assert.Equal(c.Cluster!.Self.Endpoint, (await c.GetGrain<ITallyGrain>(key).Apply("op-2")).Silo);
        Assert.True(a.IsActive(grain));
        Assert.True(c.IsActive(grain));

        // The stale activation's write carries the old ETag: it fails, the caller is told, the activation goes.
        await Assert.ThrowsAsync<InconsistentStateException>(() => a.GetGrain<ITallyGrain>(key).Apply("op-3"));
        await a.WhenBackgroundIdleAsync();
        Assert.False(a.IsActive(grain));

        // The caller retries after its view catches up: the call goes to C and is applied once.
        await a.Cluster.RefreshAsync();
        var retried = await a.GetGrain<ITallyGrain>(key).Apply("op-3");
        Assert.Equal(c.Cluster.Self.Endpoint, retried.Silo);
        Assert.Equal(3, retried.Tally.Count);
        Assert.Equal(["op-1", "op-2", "op-3"], retried.Tally.Applied);
        Assert.Equal(1, await database.ScalarAsync<int>($"SELECT count(*) FROM {_storeSchema}.grain_state WHERE grain_key = '{key}'"));
    }

    [Fact]
    public async Task A_silo_cut_off_from_the_table_refuses_calls_and_once_declared_dead_drops_its_grains_to_the_survivor()
    {
        var faulty = new FaultyMembershipTable(_table);
        var a = await _cluster.StartSiloAsync();
        var b = await _cluster.StartSiloAsync(tableOverride: faulty);
        var key = PostgresClusters.KeyOwnedBy(a.Cluster!.Ring, b.Cluster!.Self, "cut");
        Assert.Equal(1, (await a.GetGrain<ITallyGrain>(key).Apply("op-1")).Tally.Count);
        Assert.True(b.IsActive(b.GetGrainId<ITallyGrain>(key)));

        // Fully partitioned: B can neither heartbeat nor read (so it cannot learn yet that A votes it dead).
        faulty.FailWrites = true;
        faulty.FailReads = true;
        var cutOff = await _cluster.AdvanceUntilAsync(() => !b.Cluster.IsServing, TimeSpan.FromSeconds(10));
        Assert.NotNull(cutOff);

        var local = await Assert.ThrowsAsync<SiloNotServingException>(() => b.GetGrain<ITallyGrain>(key).Get());
        // Sent straight to B: A may already have voted B out and would serve the grain itself.
        using var client = new RemoteCallClient(a.Options);
        var forwarded = await Assert.ThrowsAsync<SiloNotServingException>(() =>
            client.InvokeAsync(b.Cluster.Self, b.GetGrainId<ITallyGrain>(key), new ArActors.Generated.ArActors_Runtime_Tests.ITallyGrain_GetRequest()));
        Assert.Contains("cut off from the membership table", local.Message, StringComparison.Ordinal);
        Assert.Contains("cut off from the membership table", forwarded.Message, StringComparison.Ordinal);

        // A votes B dead; once B can read again it learns that and deactivates everything.
        faulty.FailReads = false;
        var dead = await _cluster.AdvanceUntilAsync(() => b.Cluster.Agent.IsDeclaredDead, TimeSpan.FromSeconds(15));
        Assert.NotNull(dead);
        await _cluster.AdvanceUntilAsync(() => b.ActivationCount == 0, TimeSpan.FromSeconds(5));
        Assert.Equal(0, b.ActivationCount);
        Assert.Equal([a.Cluster.Self], a.Cluster.Ring.Silos.ToArray());

        var served = await a.GetGrain<ITallyGrain>(key).Apply("op-2");
        Assert.Equal(a.Cluster.Self.Endpoint, served.Silo);
        Assert.Equal(2, served.Tally.Count);
        var refused = await Assert.ThrowsAsync<SiloNotServingException>(() => b.GetGrain<ITallyGrain>(key).Get());
        Assert.Contains("declared dead", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_that_stops_gracefully_writes_its_state_leaves_without_votes_and_its_grains_move_with_their_state()
    {
        var a = await _cluster.StartSiloAsync();
        var b = await _cluster.StartSiloAsync();
        var key = PostgresClusters.KeyOwnedBy(a.Cluster!.Ring, b.Cluster!.Self, "leaving");
        Assert.Equal(b.Cluster.Self.Endpoint, (await a.GetGrain<ITallyGrain>(key).Apply("op-1")).Silo);

        await _cluster.StopSiloAsync(b);

        var row = (await _table.ReadAllAsync()).Find(b.Cluster.Self);
        Assert.Equal(SiloStatus.Dead, row!.Entry.Status);
        Assert.Empty(row.Entry.Suspicions);
        Assert.Equal([a.Cluster.Self], a.Cluster.Ring.Silos.ToArray());
        var served = await a.GetGrain<ITallyGrain>(key).Apply("op-2");
        Assert.Equal(a.Cluster.Self.Endpoint, served.Silo);
        Assert.Equal(["op-1", "op-2"], served.Tally.Applied);
    }

    [Fact]
    public async Task A_silo_announcing_its_shutdown_hands_its_grains_over_while_callers_with_old_views_are_redirected()
    {
        var a = await _cluster.StartSiloAsync();
        var b = await _cluster.StartSiloAsync();
        var key = PostgresClusters.KeyOwnedBy(a.Cluster!.Ring, b.Cluster!.Self, "handover");
        Assert.Equal(b.Cluster.Self.Endpoint, (await a.GetGrain<ITallyGrain>(key).Apply("op-1")).Silo);

        await b.Cluster.BeginShutdownAsync();

        // B no longer counts itself; A has not read the table yet and still sends the call to B.
        Assert.Equal([a.Cluster.Self], b.Cluster.Ring.Silos.ToArray());
        Assert.Equal(2, a.Cluster.Ring.Silos.Length);
        var viaA = await a.GetGrain<ITallyGrain>(key).Apply("op-2");
        Assert.Equal(a.Cluster.Self.Endpoint, viaA.Silo);
        Assert.Equal(["op-1", "op-2"], viaA.Tally.Applied);

        // A call made on B itself goes to the new owner too.
        var viaB = await b.GetGrain<ITallyGrain>(key).Apply("op-3");
        Assert.Equal(a.Cluster.Self.Endpoint, viaB.Silo);
        Assert.Equal(3, viaB.Tally.Count);
        Assert.Equal(SiloStatus.ShuttingDown, (await _table.ReadAllAsync()).Find(b.Cluster.Self)!.Entry.Status);
    }

    private static string KeyWhere(Func<string, bool> predicate)
    {
        for (var i = 0; i < 100_000; i++)
        {
            var key = Clusters.NewKey("moved");
            if (predicate(key))
            {
                return key;
            }
        }

        throw new InvalidOperationException("No key matched in 100,000 tries.");
    }
}
