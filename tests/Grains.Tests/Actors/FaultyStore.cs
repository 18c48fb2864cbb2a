using ArActors.Runtime.Storage;

namespace ArActors.Grains.Tests.Actors;

/// <summary>An in-memory store whose state writes fail for one grain type while <see cref="FailWritesOf"/> names it.</summary>
internal sealed class FaultyStore : IDurableStore
{
    private readonly InMemoryStore _inner = new();

    public volatile string? FailWritesOf;

    public string ProviderName => "faulty-" + _inner.ProviderName;

    public Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) =>
        id.GrainType == FailWritesOf
            ? Task.FromException<StateWriteResult>(new IOException($"injected: the store is unreachable for {id.GrainType}"))
            : _inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);

    public Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default) => _inner.ReadStateAsync(id, cancellationToken);

    public Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default) => _inner.ClearStateAsync(id, expectedEtag, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) => _inner.AppendAsync(events, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(topic, afterSequence, limit, cancellationToken);

    public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default) => _inner.GetLastSequenceAsync(topic, cancellationToken);

    public Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default) => _inner.UpsertAsync(entry, cancellationToken);

    public Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default) =>
        _inner.RemoveAsync(grainType, grainKey, name, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default) =>
        _inner.ReadForGrainAsync(grainType, grainKey, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(DateTimeOffset dueBefore, HashRange range, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default) =>
        _inner.ReadDueAsync(dueBefore, range, limit, after, cancellationToken);

    public Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default) =>
        _inner.AdvanceAsync(entry, nextDue, expectedEtag, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => _inner.InitializeAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken = default) => _inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
