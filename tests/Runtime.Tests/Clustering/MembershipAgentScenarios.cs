using ArActors.Runtime.Clustering;
using ArActors.Runtime.Testing;

namespace ArActors.Runtime.Tests.Clustering;

/// <summary>
/// The membership protocol end to end on a manual clock, with default options (heartbeat 1 s, suspect after 3 s,
/// 2 votes). A provider derives and supplies an empty table; every test builds its own cluster.
/// </summary>
public abstract class MembershipAgentScenarios : IAsyncLifetime
{
    private readonly List<ClusterTestHost> _hosts = [];

    protected abstract Task<IMembershipTable> CreateTableAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private async Task<ClusterTestHost> NewClusterAsync(MembershipOptions? options = null)
    {
        var host = new ClusterTestHost(new RecordingMembershipTable(await CreateTableAsync()), new ManualTimeProvider(), options);
        _hosts.Add(host);
        return host;
    }

    private async Task<(ClusterTestHost Host, MembershipAgent A, MembershipAgent B, MembershipAgent C)> ThreeSilosAsync(IMembershipTable? cTable = null)
    {
        var host = await NewClusterAsync();
        var a = await host.StartSiloAsync("http://127.0.0.1:5081");
        var b = await host.StartSiloAsync("http://127.0.0.1:5082");
        var c = await host.StartSiloAsync("http://127.0.0.1:5083", tableOverride: cTable);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        return (host, a, b, c);
    }

    private static async Task<MembershipRow> RowAsync(ClusterTestHost host, MembershipAgent agent) =>
        (await host.Table.ReadAllAsync()).Find(agent.Self)!;

    [Fact]
    public async Task A_dead_row_is_deleted_once_its_last_heartbeat_is_older_than_the_retention_and_the_survivors_carry_on()
    {
        var host = await NewClusterAsync(new MembershipOptions { DeadRowRetention = TimeSpan.FromSeconds(30) });
        var a = await host.StartSiloAsync("http://127.0.0.1:5081");
        var b = await host.StartSiloAsync("http://127.0.0.1:5082");
        await host.AdvanceAsync(TimeSpan.FromSeconds(2));
        await host.KillAsync(b);
        var killedAt = host.Clock.GetUtcNow();
        Assert.NotNull(await host.AdvanceUntilAsync(() => a.Snapshot.ActiveSilos.Length == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(SiloStatus.Dead, (await RowAsync(host, b)).Entry.Status);

        var gone = await host.AdvanceUntilAsync(() => host.Table.ReadAllAsync().Result.Find(b.Self) is null, TimeSpan.FromSeconds(60));

        Assert.NotNull(gone);
        var deletedAfterKill = host.Clock.GetUtcNow() - killedAt;
        Assert.InRange(deletedAfterKill, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(32));
        Assert.False(a.IsDeclaredDead);
        Assert.Equal([a.Self], a.Snapshot.ActiveSilos.ToArray());
        Assert.Equal(SiloStatus.Active, (await RowAsync(host, a)).Entry.Status);
    }

    [Fact]
    public async Task Three_silos_join_and_each_sees_all_three_active()
    {
        var (host, a, b, c) = await ThreeSilosAsync();

        var expected = new[] { a.Self, b.Self, c.Self };
        Assert.All(host.Agents, agent => Assert.Equal(expected, agent.Snapshot.ActiveSilos.ToArray()));
        Assert.All((await host.Table.ReadAllAsync()).Rows, r => Assert.Equal(SiloStatus.Active, r.Entry.Status));
    }

    [Fact]
    public async Task A_killed_silo_is_declared_dead_by_two_votes_within_five_seconds_and_known_to_all_within_six()
    {
        var (host, a, b, c) = await ThreeSilosAsync();
        var seenByA = new List<MembershipSnapshot>();
        a.Changed += (_, snapshot) => seenByA.Add(snapshot);
        bool DeadIn(MembershipAgent observer) => observer.Snapshot.Entries.Any(e => e.Silo == c.Self && e.Status == SiloStatus.Dead);

        await host.KillAsync(c);
        var declaredAfter = await host.AdvanceUntilAsync(() => DeadIn(a) || DeadIn(b), TimeSpan.FromSeconds(10));
        var allKnowAfter = await host.AdvanceUntilAsync(() => DeadIn(a) && DeadIn(b), TimeSpan.FromSeconds(10));

        var row = await RowAsync(host, c);
        Assert.Equal(SiloStatus.Dead, row.Entry.Status);
        Assert.Equal(new[] { a.Self, b.Self }.ToHashSet(), row.Entry.Suspicions.Select(v => v.Voter).ToHashSet());
        // First one vote leaves it Active (suspected), then the second vote declares it Dead.
        var votes = ((RecordingMembershipTable)host.Table).UpdatesOf(c.Self).Where(e => e.Suspicions.Length > 0).ToList();
        Assert.Equal([(SiloStatus.Active, 1), (SiloStatus.Dead, 2)], votes.Select(e => (e.Status, e.Suspicions.Length)).ToArray());
        // SuspectAfter (3 s) must pass first; observing the last beat and the probe phase add at most one period each.
        Assert.InRange(declaredAfter!.Value, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
        // The silo whose vote did not complete the quorum learns at its next round.
        Assert.InRange(declaredAfter.Value + allKnowAfter!.Value, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6));
        Assert.Equal([a.Self, b.Self], a.Snapshot.ActiveSilos.ToArray());
        Assert.Equal([a.Self, b.Self], b.Snapshot.ActiveSilos.ToArray());
        Assert.Equal([a.Self, b.Self], seenByA[^1].ActiveSilos.ToArray());
        Assert.False(a.IsDeclaredDead);
    }

    [Fact]
    public async Task With_quorum_two_and_three_silos_a_single_suspecter_does_not_kill()
    {
        var (host, a, b, c) = await ThreeSilosAsync();

        // Only A is left to observe: it suspects both, but each needs a second vote that never comes.
        await host.KillAsync(b);
        await host.KillAsync(c);
        await host.AdvanceAsync(TimeSpan.FromSeconds(20));

        var data = await host.Table.ReadAllAsync();
        foreach (var silo in new[] { b, c })
        {
            var row = data.Find(silo.Self)!;
            Assert.Equal(SiloStatus.Active, row.Entry.Status);
            Assert.Equal([a.Self], row.Entry.Suspicions.Select(v => v.Voter).ToArray());
        }
    }

    [Fact]
    public async Task In_a_two_silo_cluster_the_survivor_alone_declares_the_other_dead()
    {
        var host = await NewClusterAsync();
        var a = await host.StartSiloAsync("http://127.0.0.1:5081");
        var b = await host.StartSiloAsync("http://127.0.0.1:5082");
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));

        await host.KillAsync(b);
        var deadAfter = await host.AdvanceUntilAsync(() => !a.Snapshot.ActiveSilos.Contains(b.Self), TimeSpan.FromSeconds(10));

        Assert.InRange(deadAfter!.Value, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
        Assert.Equal(SiloStatus.Dead, (await RowAsync(host, b)).Entry.Status);
    }

    [Fact]
    public async Task A_partitioned_silo_that_cannot_heartbeat_is_declared_dead_and_learns_it_when_it_reads()
    {
        var faulty = new FaultyMembershipTable(await CreateTableAsync());
        var host = new ClusterTestHost(faulty.Inner, new ManualTimeProvider());
        _hosts.Add(host);
        var a = await host.StartSiloAsync("http://127.0.0.1:5081");
        var b = await host.StartSiloAsync("http://127.0.0.1:5082");
        var c = await host.StartSiloAsync("http://127.0.0.1:5083", tableOverride: faulty);
        var raised = 0;
        c.DeclaredDead += (_, _) => raised++;
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));

        faulty.FailWrites = true;
        faulty.FailReads = true;
        await host.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.False(c.IsCutOff);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.True(c.IsCutOff);
        Assert.False(a.IsCutOff);
        var deadAfter = await host.AdvanceUntilAsync(() => !a.Snapshot.ActiveSilos.Contains(c.Self), TimeSpan.FromSeconds(10));
        Assert.NotNull(deadAfter);
        Assert.False(c.IsDeclaredDead);

        faulty.FailReads = false;
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.True(c.IsDeclaredDead);
        Assert.Equal(1, raised);
        var votesAgainstOthers = (await host.Table.ReadAllAsync()).Rows.Where(r => r.Entry.Silo != c.Self).SelectMany(r => r.Entry.Suspicions);
        Assert.Empty(votesAgainstOthers);

        // Its loop stopped: healed writes bring no more heartbeats.
        faulty.FailWrites = false;
        var lastBeat = (await RowAsync(host, c)).Entry.IAmAlive;
        await host.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(lastBeat, (await RowAsync(host, c)).Entry.IAmAlive);
        Assert.Equal(1, raised);
    }

    [Fact]
    public async Task A_dead_silo_cannot_rejoin_under_the_same_generation_but_a_new_generation_can()
    {
        var (host, a, _, c) = await ThreeSilosAsync();
        await host.KillAsync(c);
        await host.AdvanceUntilAsync(() => !a.Snapshot.ActiveSilos.Contains(c.Self), TimeSpan.FromSeconds(10));

        var again = new MembershipAgent(c.Self, host.Table, host.Clock);
        await Assert.ThrowsAsync<SiloDeclaredDeadException>(() => again.StartAsync());
        Assert.True(again.IsDeclaredDead);
        Assert.Equal(SiloStatus.Dead, (await RowAsync(host, c)).Entry.Status);

        var restarted = await host.StartSiloAsync(c.Self.Endpoint, c.Self.Generation + 1);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Contains(restarted.Self, a.Snapshot.ActiveSilos);
        Assert.DoesNotContain(c.Self, a.Snapshot.ActiveSilos);
    }

    [Fact]
    public async Task A_new_generation_on_the_same_endpoint_retires_the_old_one_without_votes()
    {
        var (host, a, _, c) = await ThreeSilosAsync();
        await host.KillAsync(c);

        var restarted = await host.StartSiloAsync(c.Self.Endpoint, c.Self.Generation + 1);

        var old = await RowAsync(host, c);
        Assert.Equal(SiloStatus.Dead, old.Entry.Status);
        Assert.Empty(old.Entry.Suspicions);
        Assert.Equal(SiloStatus.Active, (await RowAsync(host, restarted)).Entry.Status);
        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(3, a.Snapshot.ActiveSilos.Length);
    }

    [Fact]
    public async Task A_graceful_leave_goes_through_shutting_down_to_dead_and_the_others_drop_it_without_voting()
    {
        var (host, a, b, c) = await ThreeSilosAsync();
        var recording = new RecordingMembershipTable(host.Table);
        var leaving = new MembershipAgent(new SiloAddress("http://127.0.0.1:5084", 42), recording, host.Clock);
        await leaving.StartAsync();

        await leaving.LeaveAsync();
        await c.LeaveAsync();
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([SiloStatus.Active, SiloStatus.ShuttingDown, SiloStatus.Dead], recording.StatusesWritten(leaving.Self).TakeLast(3).ToArray());
        var row = await RowAsync(host, c);
        Assert.Equal(SiloStatus.Dead, row.Entry.Status);
        Assert.Empty(row.Entry.Suspicions);
        Assert.Equal([a.Self, b.Self], a.Snapshot.ActiveSilos.ToArray());
        Assert.Equal([a.Self, b.Self], b.Snapshot.ActiveSilos.ToArray());
        Assert.False(c.IsDeclaredDead);
    }
}

public sealed class InMemoryMembershipAgentScenarios : MembershipAgentScenarios
{
    protected override Task<IMembershipTable> CreateTableAsync() => Task.FromResult<IMembershipTable>(new InMemoryMembershipTable());
}
