using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.State;

/// <summary>
/// A store (in memory, or any other one it wraps) that counts state writes per grain type and can hold or fail them:
/// while <see cref="Hold"/> is set, writes wait for it; while <see cref="FailWrites"/> is set, they fail without storing.
/// </summary>
internal sealed class GatedStore(IDurableStore inner) : IDurableStore
{
    private int _writes;

    public GatedStore() : this(new InMemoryStore()) { }

    public volatile TaskCompletionSource? Hold;

    public volatile bool FailWrites;

    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Completes when a write is waiting on <see cref="Hold"/>.</summary>
    public TaskCompletionSource WriteWaiting { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ProviderName => inner.ProviderName;

    public async Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        if (Hold is { } hold)
        {
            WriteWaiting.TrySetResult();
            await hold.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }

        if (FailWrites)
        {
            throw new IOException($"injected: the store is unreachable for {id.GrainType}");
        }

        return await inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);
    }

    public void ResetWaiting() => WriteWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default) => inner.ReadStateAsync(id, cancellationToken);

    public Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default) => inner.ClearStateAsync(id, expectedEtag, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) => inner.AppendAsync(events, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(topic, afterSequence, limit, cancellationToken);

    public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default) => inner.GetLastSequenceAsync(topic, cancellationToken);

    public Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default) => inner.UpsertAsync(entry, cancellationToken);

    public Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default) =>
        inner.RemoveAsync(grainType, grainKey, name, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default) =>
        inner.ReadForGrainAsync(grainType, grainKey, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(DateTimeOffset dueBefore, HashRange range, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default) =>
        inner.ReadDueAsync(dueBefore, range, limit, after, cancellationToken);

    public Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default) =>
        inner.AdvanceAsync(entry, nextDue, expectedEtag, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
