using ArActors.Runtime.Clustering;
using ArActors.Runtime.Testing;

namespace ArActors.Runtime.Tests.Clustering;

public sealed class MembershipAgentLoopTests
{
    /// <summary>Reads wait on a gate while it is closed, and are counted.</summary>
    private sealed class SlowReadTable(IMembershipTable inner) : IMembershipTable
    {
        private TaskCompletionSource _gate = NewOpenGate();

        public int Reads;

        public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _gate.TrySetResult();

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Reads);
            await _gate.Task;
            return await inner.ReadAllAsync(cancellationToken);
        }

        public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default) =>
            inner.InsertRowAsync(entry, expectedTableVersion, cancellationToken);

        public Task<bool> UpdateRowAsync(MembershipEntry entry, long expectedRowVersion, long expectedTableVersion, CancellationToken cancellationToken = default) =>
            inner.UpdateRowAsync(entry, expectedRowVersion, expectedTableVersion, cancellationToken);

        public Task<bool> UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset iAmAlive, CancellationToken cancellationToken = default) =>
            inner.UpdateIAmAliveAsync(silo, iAmAlive, cancellationToken);

        public Task<int> DeleteDeadRowsAsync(DateTimeOffset heartbeatBefore, CancellationToken cancellationToken = default) =>
            inner.DeleteDeadRowsAsync(heartbeatBefore, cancellationToken);

        private static TaskCompletionSource NewOpenGate()
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            gate.SetResult();
            return gate;
        }
    }

    [Fact]
    public async Task Ticks_during_a_slow_round_queue_at_most_one_more_round()
    {
        var clock = new ManualTimeProvider();
        var table = new SlowReadTable(new InMemoryMembershipTable());
        await using var agent = new MembershipAgent(new SiloAddress("http://127.0.0.1:5081", 1), table, clock);
        await agent.StartAsync();
        table.Close();
        var readsBefore = table.Reads;

        // Ten ticks while the first round is stuck reading.
        for (var i = 0; i < 10; i++)
        {
            clock.Advance(agent.Options.HeartbeatPeriod);
        }

        table.Open();
        await agent.WhenIdleAsync();

        Assert.Equal(2, table.Reads - readsBefore);
    }

    [Fact]
    public async Task A_killed_agent_runs_no_more_rounds()
    {
        var clock = new ManualTimeProvider();
        var table = new SlowReadTable(new InMemoryMembershipTable());
        var agent = new MembershipAgent(new SiloAddress("http://127.0.0.1:5081", 1), table, clock);
        await agent.StartAsync();

        await agent.KillAsync();
        var readsBefore = table.Reads;
        clock.Advance(TimeSpan.FromSeconds(10));
        await agent.WhenIdleAsync();

        Assert.Equal(readsBefore, table.Reads);
    }

    [Fact]
    public async Task A_silo_whose_row_disappears_after_joining_considers_itself_dead()
    {
        var clock = new ManualTimeProvider();
        var table = new HidingTable(new InMemoryMembershipTable());
        var agent = new MembershipAgent(new SiloAddress("http://127.0.0.1:5081", 1), table, clock);
        var raised = 0;
        agent.DeclaredDead += (_, _) => raised++;
        await agent.StartAsync();

        table.Hidden = agent.Self;
        clock.Advance(agent.Options.HeartbeatPeriod);
        await agent.WhenIdleAsync();

        Assert.True(agent.IsDeclaredDead);
        Assert.Equal(1, raised);
    }

    /// <summary>Reads leave out one silo's row, as if the table had been wiped or cleaned up under it.</summary>
    private sealed class HidingTable(IMembershipTable inner) : IMembershipTable
    {
        public volatile SiloAddress? Hidden;

        public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

        public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
        {
            var data = await inner.ReadAllAsync(cancellationToken);
            return data with { Rows = [.. data.Rows.Where(r => r.Entry.Silo != Hidden)] };
        }

        public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default) =>
            inner.InsertRowAsync(entry, expectedTableVersion, cancellationToken);

        public Task<bool> UpdateRowAsync(MembershipEntry entry, long expectedRowVersion, long expectedTableVersion, CancellationToken cancellationToken = default) =>
            inner.UpdateRowAsync(entry, expectedRowVersion, expectedTableVersion, cancellationToken);

        public Task<bool> UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset iAmAlive, CancellationToken cancellationToken = default) =>
            inner.UpdateIAmAliveAsync(silo, iAmAlive, cancellationToken);

        public Task<int> DeleteDeadRowsAsync(DateTimeOffset heartbeatBefore, CancellationToken cancellationToken = default) =>
            inner.DeleteDeadRowsAsync(heartbeatBefore, cancellationToken);
    }
}
