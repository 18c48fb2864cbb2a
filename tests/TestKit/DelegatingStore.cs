using ArActors.Runtime.Storage;

namespace ArActors.TestKit;

/// <summary>
/// A store that forwards every call to another; a test store overrides the calls it holds, fails or counts. It disposes
/// the inner store unless <paramref name="ownsInner"/> is false (the inner one belongs to someone else).
/// </summary>
public abstract class DelegatingStore(IDurableStore inner, bool ownsInner = true) : IDurableStore
{
    /// <summary>The store calls are forwarded to, e.g. to write around the decorator from a test.</summary>
    public IDurableStore Inner => inner;

    public virtual string ProviderName => inner.ProviderName;

    public virtual Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) =>
        inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);

    public virtual Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default) => inner.ReadStateAsync(id, cancellationToken);

    public virtual Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default) => inner.ClearStateAsync(id, expectedEtag, cancellationToken);

    public virtual Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) => inner.AppendAsync(events, cancellationToken);

    public virtual Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(topic, afterSequence, limit, cancellationToken);

    public virtual Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default) => inner.GetLastSequenceAsync(topic, cancellationToken);

    public virtual Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default) => inner.UpsertAsync(entry, cancellationToken);

    public virtual Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default) =>
        inner.RemoveAsync(grainType, grainKey, name, cancellationToken);

    public virtual Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default) =>
        inner.ReadForGrainAsync(grainType, grainKey, cancellationToken);

    public virtual Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(DateTimeOffset dueBefore, HashRange range, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default) =>
        inner.ReadDueAsync(dueBefore, range, limit, after, cancellationToken);

    // The interface's default reads range by range: forward, so a provider that answers in one statement still does.
    public virtual Task<IReadOnlyList<ReminderEntry>> ReadDueInRangesAsync(
        DateTimeOffset dueBefore, IReadOnlyList<HashRange> ranges, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default) =>
        inner.ReadDueInRangesAsync(dueBefore, ranges, limit, after, cancellationToken);

    public virtual Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default) =>
        inner.AdvanceAsync(entry, nextDue, expectedEtag, cancellationToken);

    public virtual Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public virtual Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ownsInner ? inner.DisposeAsync() : ValueTask.CompletedTask;
    }
}
