using System.Collections.Concurrent;
using ArActors.Runtime.Clustering;

namespace ArActors.Runtime.Tests.Clustering;

/// <summary>A table one silo reaches through a broken network: reads and/or writes throw while the flags are set.</summary>
internal sealed class FaultyMembershipTable(IMembershipTable inner) : IMembershipTable
{
    public IMembershipTable Inner => inner;

    public volatile bool FailReads;

    public volatile bool FailWrites;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) =>
        FailReads ? Task.FromException<MembershipTableData>(new TimeoutException("partitioned (read)")) : inner.ReadAllAsync(cancellationToken);

    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default) =>
        FailWrites ? Task.FromException<bool>(new TimeoutException("partitioned (write)")) : inner.InsertRowAsync(entry, expectedTableVersion, cancellationToken);

    public Task<bool> UpdateRowAsync(MembershipEntry entry, long expectedRowVersion, long expectedTableVersion, CancellationToken cancellationToken = default) =>
        FailWrites ? Task.FromException<bool>(new TimeoutException("partitioned (write)")) : inner.UpdateRowAsync(entry, expectedRowVersion, expectedTableVersion, cancellationToken);

    public Task<int> DeleteDeadRowsAsync(DateTimeOffset heartbeatBefore, CancellationToken cancellationToken = default) =>
        FailWrites ? Task.FromException<int>(new TimeoutException("partitioned (write)")) : inner.DeleteDeadRowsAsync(heartbeatBefore, cancellationToken);

    public Task<bool> UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset iAmAlive, CancellationToken cancellationToken = default) =>
        FailWrites ? Task.FromException<bool>(new TimeoutException("partitioned (write)")) : inner.UpdateIAmAliveAsync(silo, iAmAlive, cancellationToken);
}

/// <summary>Passes everything through and records each successful full-row update.</summary>
internal sealed class RecordingMembershipTable(IMembershipTable inner) : IMembershipTable
{
    private readonly ConcurrentQueue<MembershipEntry> _updates = new();

    public IEnumerable<SiloStatus> StatusesWritten(SiloAddress silo) => _updates.Where(e => e.Silo == silo).Select(e => e.Status);

    public IEnumerable<MembershipEntry> UpdatesOf(SiloAddress silo) => _updates.Where(e => e.Silo == silo);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

    public Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default) =>
        inner.InsertRowAsync(entry, expectedTableVersion, cancellationToken);

    public async Task<bool> UpdateRowAsync(MembershipEntry entry, long expectedRowVersion, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        var applied = await inner.UpdateRowAsync(entry, expectedRowVersion, expectedTableVersion, cancellationToken);
        if (applied)
        {
            _updates.Enqueue(entry);
        }

        return applied;
    }

    public Task<bool> UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset iAmAlive, CancellationToken cancellationToken = default) =>
        inner.UpdateIAmAliveAsync(silo, iAmAlive, cancellationToken);

    public Task<int> DeleteDeadRowsAsync(DateTimeOffset heartbeatBefore, CancellationToken cancellationToken = default) =>
        inner.DeleteDeadRowsAsync(heartbeatBefore, cancellationToken);
}
