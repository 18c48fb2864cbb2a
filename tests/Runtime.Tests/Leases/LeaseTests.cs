using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Leases;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArActors.Runtime.Tests.Leases;

/// <summary>
/// Singleton services over real PostgreSQL (membership and leases, one schema per test) on one manual clock: each node
/// is a joined <see cref="SiloCluster"/> plus a <see cref="LeasedHostedService"/> around a service that records when
/// it runs. Time moves in 100 ms steps, each waiting for every round, and every step checks that at most one runs.
/// </summary>
public sealed class LeaseTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);
    private readonly ManualTimeProvider _clock = new();
    private readonly string _schema = "l_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<Node> _nodes = [];
    private readonly List<IAsyncDisposable> _disposables = [];
    private IMembershipTable _membership = null!;
    private ILeaseTable _leases = null!;

    public async Task InitializeAsync()
    {
        var membership = new PostgresMembershipTable(database.ConnectionString, _schema);
        var leases = new PostgresLeaseTable(database.ConnectionString, _schema);
        _disposables.Add(membership);
        _disposables.Add(leases);
        (_membership, _leases) = (membership, leases);
        await _membership.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Service.Kill();
            await node.Service.DisposeAsync();
            await node.Cluster.DisposeAsync();
        }

        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_silos_run_the_service_on_exactly_one_and_it_stays_there()
    {
        var a = await StartMemberAsync("http://10.0.0.1:5080");
        var b = await StartMemberAsync("http://10.0.0.2:5080");

        await AdvanceAsync(TimeSpan.FromSeconds(40));

        var holder = Assert.Single(_nodes, n => n.Service.IsRunning);
        Assert.Equal(1, holder.Inner.Starts);
        Assert.Equal(0, _nodes.Single(n => n != holder).Inner.Starts);
        var lease = await _leases.ReadAsync("svc");
        Assert.Equal(holder.Cluster.Self.ToString(), lease!.Holder);
        Assert.Equal(1, lease.Generation);
        Assert.True(lease.Expires > _clock.GetUtcNow(), "the holder keeps renewing");
        Assert.Contains(holder, new[] { a, b });
    }

    [Fact]
    public async Task When_the_holder_crashes_the_other_takes_over_once_it_is_declared_dead_before_the_lease_expires()
    {
        var first = await StartMemberAsync("http://10.0.0.1:5080");
        var second = await StartMemberAsync("http://10.0.0.2:5080");
        await AdvanceAsync(TimeSpan.FromSeconds(3));
        var holder = Assert.Single(_nodes, n => n.Service.IsRunning);
        var survivor = holder == first ? second : first;

        await CrashAsync(holder);
        var killedAt = _clock.GetUtcNow();
        var tookOver = await AdvanceUntilAsync(() => survivor.Service.IsRunning, TimeSpan.FromSeconds(30));

        Assert.NotNull(tookOver);
        var declaredDead = (await _membership.ReadAllAsync()).Find(holder.Cluster.Self)!.Entry.Status;
        Assert.Equal(SiloStatus.Dead, declaredDead);
        // Detection (declared dead <= 5 s, known to all <= 6 s) plus one lease period, well before the 15 s expiry.
        Assert.InRange(tookOver.Value, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8.5));
        var lease = await _leases.ReadAsync("svc");
        Assert.Equal((survivor.Cluster.Self.ToString(), 2L), (lease!.Holder, lease.Generation));
        Assert.True(_clock.GetUtcNow() - killedAt < new LeaseOptions().Duration);
    }

    [Fact]
    public async Task A_crashed_holder_that_nobody_declares_dead_is_replaced_only_after_its_lease_expires()
    {
        // An API-only node has no membership row, so only expiry frees its lease.
        var client = await StartClientAsync();
        var member = await StartMemberAsync("http://10.0.0.2:5080");
        Assert.True(client.Service.IsRunning);
        Assert.False(member.Service.IsRunning);
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        var lastRenewal = (await _leases.ReadAsync("svc"))!.Expires - new LeaseOptions().Duration;

        await CrashAsync(client);
        await AdvanceUntilAsync(() => member.Service.IsRunning, TimeSpan.FromSeconds(40));

        Assert.True(member.Service.IsRunning);
        var waited = _clock.GetUtcNow() - lastRenewal;
        Assert.InRange(waited, new LeaseOptions().Duration, new LeaseOptions().Duration + new LeaseOptions().RenewPeriod + Step);
        Assert.Equal(2, (await _leases.ReadAsync("svc"))!.Generation);
    }

    [Fact]
    public async Task A_holder_that_cannot_renew_stops_before_its_lease_expires_and_the_other_starts_after()
    {
        var broken = new BreakableLeaseTable(_leases);
        var holder = await StartMemberAsync("http://10.0.0.1:5080", broken);
        var other = await StartMemberAsync("http://10.0.0.2:5080");
        await AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.True(holder.Service.IsRunning);
        var expires = (await _leases.ReadAsync("svc"))!.Expires;

        broken.Broken = true;
        var stoppedAfter = await AdvanceUntilAsync(() => !holder.Service.IsRunning, TimeSpan.FromSeconds(30));
        var holderStoppedAt = _clock.GetUtcNow();
        await AdvanceUntilAsync(() => other.Service.IsRunning, TimeSpan.FromSeconds(30));

        Assert.NotNull(stoppedAfter);
        Assert.True(holderStoppedAt <= expires - new LeaseOptions().RenewPeriod, $"stopped at {holderStoppedAt:O}, lease expired at {expires:O}");
        Assert.True(other.Service.IsRunning);
        Assert.True(_clock.GetUtcNow() >= expires, "the other waited for the expiry");
        Assert.Equal(1, holder.Inner.Stops);
        Assert.Equal(other.Cluster.Self.ToString(), (await _leases.ReadAsync("svc"))!.Holder);
    }

    [Fact]
    public async Task A_graceful_stop_releases_the_lease_and_the_other_takes_it_at_its_next_period()
    {
        var first = await StartMemberAsync("http://10.0.0.1:5080");
        var second = await StartMemberAsync("http://10.0.0.2:5080");
        Assert.True(first.Service.IsRunning);

        await first.Service.StopAsync(CancellationToken.None);
        var took = await AdvanceUntilAsync(() => second.Service.IsRunning, TimeSpan.FromSeconds(10));

        Assert.Equal(1, first.Inner.Stops);
        Assert.NotNull(took);
        Assert.True(took <= new LeaseOptions().RenewPeriod, $"took {took}");
    }

    [Fact]
    public async Task Without_a_cluster_the_service_starts_at_once_and_no_lease_is_written()
    {
        var inner = new RecordingService();
        var service = new LeasedHostedService("svc", inner, _leases, cluster: null, _clock);

        await service.StartAsync(CancellationToken.None);

        Assert.True(service.IsRunning);
        Assert.Equal(1, inner.Starts);
        Assert.Null(await _leases.ReadAsync("svc"));
        await service.StopAsync(CancellationToken.None);
        Assert.Equal(1, inner.Stops);
    }

    [Fact]
    public async Task Every_service_registered_with_a_lease_is_hosted_not_only_the_first()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton<FirstService>();
        services.AddSingleton<SecondService>();
        services.AddLeasedHostedService<FirstService>("first");
        services.AddLeasedHostedService<SecondService>("second");
        await using var provider = services.BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().Cast<LeasedHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        Assert.Equal(["first", "second"], hosted.Select(h => h.Name));
        Assert.All(hosted, h => Assert.Equal(1, ((RecordingService)h.Inner).Starts));
    }

    private sealed class FirstService : RecordingService;

    private sealed class SecondService : RecordingService;

    [Fact]
    public async Task Eight_concurrent_takers_of_a_free_lease_produce_one_holder()
    {
        var now = _clock.GetUtcNow();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            _leases.TryAcquireAsync("race", $"holder-{i}", now, TimeSpan.FromSeconds(15), []))));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner, await _leases.ReadAsync("race"));
        Assert.False(await _leases.RenewAsync("race", winner!.Holder, winner.Generation, now + TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15)));
    }

    private async Task<Node> StartMemberAsync(string endpoint, ILeaseTable? leases = null)
    {
        var agent = new MembershipAgent(new SiloAddress(endpoint, _clock.GetUtcNow().UtcTicks), _membership, _clock);
        var cluster = new SiloCluster(agent);
        await cluster.JoinAsync();
        return await StartNodeAsync(cluster, leases);
    }

    private async Task<Node> StartClientAsync()
    {
        var cluster = SiloCluster.ForClient(_membership, _clock);
        await cluster.JoinAsync();
        return await StartNodeAsync(cluster, null);
    }

    private async Task<Node> StartNodeAsync(SiloCluster cluster, ILeaseTable? leases)
    {
        var inner = new RecordingService();
        var node = new Node(cluster, new LeasedHostedService("svc", inner, leases ?? _leases, cluster, _clock), inner);
        _nodes.Add(node);
        await node.Service.StartAsync(CancellationToken.None);
        return node;
    }

    private static async Task CrashAsync(Node node)
    {
        node.Service.Kill();
        await node.Cluster.KillAsync();
        node.Crashed = true;
    }

    private async Task AdvanceAsync(TimeSpan duration)
    {
        var end = _clock.GetUtcNow() + duration;
        while (_clock.GetUtcNow() < end)
        {
            await StepAsync();
        }
    }

    private async Task<TimeSpan?> AdvanceUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var start = _clock.GetUtcNow();
        while (!condition())
        {
            if (_clock.GetUtcNow() - start >= limit)
            {
                return null;
            }

            await StepAsync();
        }

        return _clock.GetUtcNow() - start;
    }

    private async Task StepAsync()
    {
        _clock.Advance(Step);
        foreach (var node in _nodes.Where(n => !n.Crashed))
        {
            if (!node.Cluster.IsClient)
            {
                await node.Cluster.Agent.WhenIdleAsync();
            }

            await node.Service.WhenIdleAsync();
        }

        // A crashed node's service counts too: a process that died holding it may still be running it as far as we know.
        var running = _nodes.Where(n => n.Service.IsRunning && !n.Crashed).ToList();
        Assert.True(running.Count <= 1, $"at {_clock.GetUtcNow():O} the service ran on {string.Join(", ", running.Select(n => n.Cluster.Self))}");
    }

    private sealed class Node(SiloCluster cluster, LeasedHostedService service, RecordingService inner)
    {
        public SiloCluster Cluster { get; } = cluster;

        public LeasedHostedService Service { get; } = service;

        public RecordingService Inner { get; } = inner;

        public bool Crashed { get; set; }
    }

    private class RecordingService : IHostedService
    {
        public int Starts { get; private set; }

        public int Stops { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Starts++;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stops++;
            return Task.CompletedTask;
        }
    }

    /// <summary>The lease table as one node reaches it: every call throws while <see cref="Broken"/> is set.</summary>
    private sealed class BreakableLeaseTable(ILeaseTable inner) : ILeaseTable
    {
        public volatile bool Broken;

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public Task<Lease?> TryAcquireAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, IReadOnlyCollection<string> deadHolders, CancellationToken cancellationToken = default) =>
            Broken ? Task.FromException<Lease?>(new TimeoutException("lease table unreachable")) : inner.TryAcquireAsync(name, holder, now, duration, deadHolders, cancellationToken);

        public Task<bool> RenewAsync(string name, string holder, long generation, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default) =>
            Broken ? Task.FromException<bool>(new TimeoutException("lease table unreachable")) : inner.RenewAsync(name, holder, generation, now, duration, cancellationToken);

        public Task ReleaseAsync(string name, string holder, long generation, CancellationToken cancellationToken = default) =>
            Broken ? Task.FromException(new TimeoutException("lease table unreachable")) : inner.ReleaseAsync(name, holder, generation, cancellationToken);

        public Task<Lease?> ReadAsync(string name, CancellationToken cancellationToken = default) => inner.ReadAsync(name, cancellationToken);
    }
}
