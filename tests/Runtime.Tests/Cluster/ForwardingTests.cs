using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Forwarding;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;

namespace ArActors.Runtime.Tests.Cluster;

/// <summary>Three silos in-process over one PostgreSQL database; calls between them go over HTTP.</summary>
public sealed class ForwardingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private MultiSiloTestCluster _cluster = null!;
    private PostgresMembershipTable _table = null!;
    private string _storeSchema = "";

    private Silo A => _cluster.Silos[0];

    private Silo B => _cluster.Silos[1];

    private Silo C => _cluster.Silos[2];

    public async Task InitializeAsync()
    {
        (_cluster, _table, _storeSchema) = await PostgresClusters.CreateAsync(database);
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
    public async Task Every_silo_sees_the_three_active_silos_in_the_same_ring()
    {
        var rings = _cluster.Silos.Select(s => s.Cluster!.Ring).ToList();
        Assert.All(rings, ring => Assert.Equal(3, ring.Silos.Length));
        Assert.All(rings, ring => Assert.Equal(rings[0].Silos.ToArray(), ring.Silos.ToArray()));
        var rows = await _table.ReadAllAsync();
        Assert.Equal(3, rows.Rows.Count(r => r.Entry.Status == SiloStatus.Active));
    }

    [Fact]
    public async Task Grains_spread_across_all_three_silos_and_invoices_live_with_their_account()
    {
        var served = new HashSet<string>();
        for (var i = 0; i < 60; i++)
        {
            served.Add(await A.GetGrain<ITallyGrain>(Clusters.NewKey("spread")).Where());
        }

        Assert.Equal(_cluster.Silos.Select(s => s.Cluster!.Self.Endpoint).ToHashSet(), served);

        for (var account = 0; account < 10; account++)
        {
            var accountKey = Clusters.NewKey("ACME");
            var accountSilo = await B.GetGrain<ITallyGrain>(accountKey).Where();
            Assert.Equal(A.Cluster!.OwnerOf(A.GetGrainId<ITallyGrain>(accountKey)).Endpoint, accountSilo);
            for (var invoice = 1; invoice <= 3; invoice++)
            {
                Assert.Equal(accountSilo, await C.GetGrain<ITallyGrain>($"{accountKey}/INV-{invoice}").Where());
            }
        }
    }

    [Fact]
    public async Task A_call_through_any_silo_reaches_the_one_activation_on_the_owner_and_its_state_is_stored()
    {
        var key = PostgresClusters.KeyOwnedBy(A.Cluster!.Ring, C.Cluster!.Self, "owned-by-c");

        var first = await A.GetGrain<ITallyGrain>(key).Apply("op-1");
        var second = await B.GetGrain<ITallyGrain>(key).Apply("op-2");
        var third = await C.GetGrain<ITallyGrain>(key).Apply("op-3");

        Assert.All(new[] { first, second, third }, s => Assert.Equal(C.Cluster.Self.Endpoint, s.Silo));
        Assert.Equal([1, 2, 3], new[] { first.Tally.Count, second.Tally.Count, third.Tally.Count });
        var grain = A.GetGrainId<ITallyGrain>(key);
        Assert.True(C.IsActive(grain));
        Assert.False(A.IsActive(grain));
        Assert.False(B.IsActive(grain));
        var stored = await database.ScalarAsync<string>($"SELECT count(*) FROM {_storeSchema}.grain_state WHERE grain_key = '{key}'");
        Assert.Equal("1", stored);
    }

    [Fact]
    public async Task A_cluster_client_hosts_no_grain_and_reaches_each_grain_on_its_owner()
    {
        var client = await _cluster.StartClientAsync();
        Assert.True(client.Cluster!.IsClient);
        Assert.Equal(3, client.Cluster.Ring.Silos.Length);
        Assert.DoesNotContain(client.Cluster.Self, client.Cluster.Ring.Silos);

        for (var i = 0; i < 20; i++)
        {
            var key = Clusters.NewKey("via-client");
            var served = await client.GetGrain<ITallyGrain>(key).Apply("op-1");
            Assert.Equal(A.Cluster!.OwnerOf(A.GetGrainId<ITallyGrain>(key)).Endpoint, served.Silo);
            Assert.Equal(1, (await A.GetGrain<ITallyGrain>(key).Get()).Tally.Count);
        }

        Assert.Equal(0, client.ActivationCount);
    }

    [Fact]
    public async Task A_remote_exception_keeps_its_type_and_message()
    {
        var key = PostgresClusters.KeyOwnedBy(A.Cluster!.Ring, B.Cluster!.Self, "throws");
        var grain = A.GetGrain<ITallyGrain>(key);

        var framework = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Refuse("amount must be positive"));
        var domain = await Assert.ThrowsAsync<CollectionRuleException>(() => grain.Refuse("rule: promise date is in the past"));

        Assert.Equal("amount must be positive", framework.Message);
        Assert.Equal("rule: promise date is in the past", domain.Message);
    }

    [Fact]
    public async Task A_remote_exception_keeps_its_inner_chain_and_the_grains_stack_as_a_local_call_would()
    {
        var key = PostgresClusters.KeyOwnedBy(A.Cluster!.Ring, B.Cluster!.Self, "chain");
        var local = await Assert.ThrowsAsync<InvalidOperationException>(() => B.GetGrain<ITallyGrain>(key).FailWithChain());

        var remote = await Assert.ThrowsAsync<InvalidOperationException>(() => A.GetGrain<ITallyGrain>(key).FailWithChain());

        Assert.Equal(local.Message, remote.Message);
        var inner = Assert.IsType<ArActors.Runtime.Storage.InconsistentStateException>(remote.InnerException);
        Assert.Equal("write of tally failed", inner.Message);
        var innermost = Assert.IsType<TimeoutException>(inner.InnerException);
        Assert.Equal("store did not answer", innermost.Message);
        Assert.Equal(local.InnerException!.GetType(), remote.InnerException!.GetType());
        Assert.Equal(local.InnerException.InnerException!.GetType(), remote.InnerException.InnerException!.GetType());
        // The stack is the grain's, on the owner, as text; each level keeps its own.
        Assert.Contains(nameof(TallyGrain.FailWithChain), (string)remote.Data[RemoteExceptionData.StackTraceKey]!, StringComparison.Ordinal);
        Assert.Contains("WriteThatTimesOut", (string)inner.Data[RemoteExceptionData.StackTraceKey]!, StringComparison.Ordinal);
        Assert.Equal(B.Cluster.Self.ToString(), remote.Data[RemoteExceptionData.SiloKey]);
        Assert.False(remote.Data.Contains(RemoteExceptionData.OriginalTypeKey));
    }

    [Fact]
    public async Task A_domain_exception_without_a_message_constructor_arrives_as_its_nearest_base_type_naming_the_original()
    {
        var key = PostgresClusters.KeyOwnedBy(A.Cluster!.Ring, C.Cluster!.Self, "limit");

        var remote = await Assert.ThrowsAsync<ArgumentException>(() => A.GetGrain<ITallyGrain>(key).ExceedLimit(250m));

        Assert.Equal("Requested 250 exceeds the limit 100.", remote.Message);
        Assert.StartsWith(typeof(LimitExceededException).FullName + ",", (string)remote.Data[RemoteExceptionData.OriginalTypeKey]!, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exception_type_this_process_cannot_load_arrives_as_RemoteGrainException_with_its_inner_chain()
    {
        var error = new RemoteError("Elsewhere.PluginFault, Elsewhere", ["Elsewhere.PluginBase, Elsewhere"], "plugin broke", "   at Elsewhere.Plugin.Run()",
            new RemoteError(ForwardingTypeName<FormatException>(), [ForwardingTypeName<SystemException>()], "bad digit", null, null));

        var rebuilt = Assert.IsType<RemoteGrainException>(RemoteCallJson.Rebuild(error, "http://b:1#1"));

        Assert.Equal(("Elsewhere.PluginFault, Elsewhere", "plugin broke"), (rebuilt.OriginalType, rebuilt.Message));
        Assert.Equal("bad digit", Assert.IsType<FormatException>(rebuilt.InnerException).Message);
        Assert.Equal("   at Elsewhere.Plugin.Run()", rebuilt.Data[RemoteExceptionData.StackTraceKey]);
    }

    private static string ForwardingTypeName<T>() => RemoteCallJson.TypeName(typeof(T));

    [Fact]
    public async Task Cancelling_a_remote_call_cancels_the_caller_and_the_grain_turn()
    {
        var key = PostgresClusters.KeyOwnedBy(A.Cluster!.Ring, B.Cluster!.Self, "cancel");
        using var cancellation = new CancellationTokenSource();
        var call = A.GetGrain<ITallyGrain>(key).WaitUntilCanceled(cancellation.Token);
        await Gates.WaitAsync("started:" + key);   // the turn runs on B
        await cancellation.CancelAsync();

        var refused = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cancellation.Token, refused.CancellationToken);
        await TallyGrain.CanceledOn(key).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_remote_call_that_does_not_answer_times_out_like_a_local_one()
    {
        var key = PostgresClusters.KeyOwnedBy(A.Cluster!.Ring, B.Cluster!.Self, "hang");
        try
        {
            var timeout = await Assert.ThrowsAsync<TimeoutException>(() => A.GetGrain<ITallyGrain>(key).Hang());
            Assert.Contains("did not answer within 00:00:02", timeout.Message, StringComparison.Ordinal);
            Assert.Contains(key, timeout.Message, StringComparison.Ordinal);
        }
        finally
        {
            Gates.Open("hang:" + key);
        }
    }
}
