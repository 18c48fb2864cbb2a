using Microsoft.Extensions.Logging;

namespace ArActors.Runtime.Storage;

/// <summary>
/// The write side every durable provider shares: validate, queue into the <see cref="GroupCommitWriter"/>, report what
/// committed. A provider supplies how a batch commits and which failures are retried, isolated or fatal, plus its reads.
/// </summary>
public abstract class GroupCommitStore : ICommittedEventSource, IGroupCommitStatistics, IAsyncDisposable
{
    private readonly GroupCommitWriter _writer;
    private volatile bool _initialized;
    private int _disposed;

    private protected GroupCommitStore(int writerLoops, int maxBatch, ILogger logger) =>
        _writer = new GroupCommitWriter(writerLoops, maxBatch, CommitBatchAsync, Classify, RaiseEventsCommitted, logger);

    /// <summary>
    /// Raised once per committed transaction with the events it committed, ordered by (topic, sequence), after COMMIT
    /// and before the writers' tasks complete. Invoked on the writer loop that commits this store's events, so one
    /// invocation at a time and in commit order: handlers must be quick and must not block. Other processes append to
    /// the same topics, so a subscriber still orders by sequence, not by arrival.
    /// </summary>
    public event Action<IReadOnlyList<StoredEvent>>? EventsCommitted;

    public abstract string ProviderName { get; }

    public long Transactions => _writer.Transactions;

    public long Operations => _writer.Operations;

    public Task<StateWriteResult> WriteStateAsync(
        GrainStateId id,
        ReadOnlyMemory<byte> payload,
        string? expectedEtag,
        IReadOnlyList<EventDraft> events,
        CancellationToken cancellationToken = default)
    {
        StoreInput.StateId(id);
        EnsureInitialized();
        return _writer.EnqueueAsync(new WriteStateOperation(
            id, payload.ToArray(), expectedEtag, StoreInput.Events(events), StoreInput.NewEtag(), cancellationToken));
    }

    /// <summary>
    /// <see cref="WriteStateAsync"/> for buffers the caller hands over (the runtime's persistent state: a payload and
    /// event drafts serialized for this write and never touched again), so they are not copied.
    /// </summary>
    internal Task<StateWriteResult> WriteOwnedStateAsync(GrainStateId id, byte[] payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken)
    {
        StoreInput.StateId(id);
        EnsureInitialized();
        return _writer.EnqueueAsync(new WriteStateOperation(id, payload, expectedEtag, StoreInput.Events(events, owned: true), StoreInput.NewEtag(), cancellationToken));
    }

    /// <summary>
    /// The state write with reminder changes in the same transaction, made only if the write's ETag check passes. An
    /// upserted entry gets its new ETag here; the stored forms come back with the result.
    /// </summary>
    internal async Task<(StateWriteResult Result, IReadOnlyList<ReminderEntry> Upserted)> WriteOwnedStateAsync(
        GrainStateId id, byte[] payload, string? expectedEtag, IReadOnlyList<EventDraft> events, IReadOnlyList<StagedReminder> reminders, CancellationToken cancellationToken)
    {
        StoreInput.StateId(id);
        EnsureInitialized();
        var changes = new List<GroupCommitOperation>(reminders.Count);
        var upserted = new List<ReminderEntry>();
        foreach (var reminder in reminders)
        {
            if (reminder.Entry is { } entry)
            {
                StoreInput.Reminder(entry);
                var stored = AsStored(entry) with { Etag = StoreInput.NewEtag() };
                changes.Add(new UpsertReminderOperation(stored, cancellationToken));
                upserted.Add(stored);
            }
            else
            {
                changes.Add(new ReminderChangeOperation(reminder.GrainType, reminder.GrainKey, reminder.Name, null, null, null, cancellationToken));
            }
        }

        var result = await _writer.EnqueueAsync(new WriteStateOperation(
            id, payload, expectedEtag, StoreInput.Events(events, owned: true), StoreInput.NewEtag(), cancellationToken, changes)).ConfigureAwait(false);
        return (result, upserted);
    }

    public Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default)
    {
        StoreInput.StateId(id);
        EnsureInitialized();
        return _writer.EnqueueAsync(new ClearStateOperation(id, expectedEtag, cancellationToken));
    }

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default)
    {
        var drafts = StoreInput.Events(events);
        EnsureInitialized();
        return drafts.Count == 0
            ? Task.FromResult<IReadOnlyList<StoredEvent>>([])
            : _writer.EnqueueAsync(new AppendEventsOperation(drafts, cancellationToken));
    }

    public Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        StoreInput.Reminder(entry);
        EnsureInitialized();
        var stored = AsStored(entry) with { Etag = StoreInput.NewEtag() };
        return _writer.EnqueueAsync(new UpsertReminderOperation(stored, cancellationToken));
    }

    public Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default)
    {
        StoreInput.Key(grainType, nameof(grainType));
        StoreInput.Key(grainKey, nameof(grainKey));
        StoreInput.Key(name, nameof(name));
        EnsureInitialized();
        return _writer.EnqueueAsync(new ReminderChangeOperation(grainType, grainKey, name, null, null, null, cancellationToken));
    }

    // The ETag names the registration, so advancing keeps it: the silo re-holds the entry it advanced and advances it again.
    public Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default)
    {
        StoreInput.Reminder(entry);
        ArgumentNullException.ThrowIfNull(expectedEtag);
        EnsureInitialized();
        return _writer.EnqueueAsync(new ReminderChangeOperation(
            entry.GrainType, entry.GrainKey, entry.Name, AsStored(nextDue), expectedEtag, expectedEtag, cancellationToken));
    }

    /// <summary>Drains pending writes (each completes or fails), then releases the provider's resources.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _writer.DisposeAsync().ConfigureAwait(false);
        await DisposeResourcesAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>The reminder as the store will return it (e.g. at the precision it keeps), so writes equal later reads.</summary>
    protected virtual ReminderEntry AsStored(ReminderEntry entry) => entry;

    protected virtual DateTimeOffset AsStored(DateTimeOffset time) => time;

    protected abstract ValueTask DisposeResourcesAsync();

    /// <summary>Writes are refused until the schema exists.</summary>
    protected void MarkInitialized() => _initialized = true;

    protected void EnsureInitialized()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_initialized)
        {
            throw new InvalidOperationException("Call InitializeAsync before writing to the store.");
        }
    }

    private protected abstract Task CommitBatchAsync(IReadOnlyList<GroupCommitOperation> batch, CancellationToken cancellationToken);

    private protected abstract BatchFailure Classify(Exception exception);

    private void RaiseEventsCommitted(IReadOnlyList<StoredEvent> events)
    {
        var handler = EventsCommitted;
        if (handler is null)
        {
            return;
        }

        handler([.. events.OrderBy(e => e.Topic, StringComparer.Ordinal).ThenBy(e => e.Sequence)]);
    }
}
