using System.Collections.Concurrent;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.Reminders;

/// <summary>
/// A real store with the reminder table observed: counts the rows due-reads return, can make the advances of chosen
/// reminders fail, and can write a row "from another silo" (straight into the table) just before a given read.
/// </summary>
internal sealed class ObservedReminderStore(IDurableStore inner) : IDurableStore
{
    private readonly ConcurrentDictionary<(string Type, string Key, string Name), int> _failAdvances = new();
    private readonly ConcurrentDictionary<(string Type, string Key, string Name), int> _advanceAttempts = new();
    private readonly ConcurrentQueue<ReminderEntry?> _cursors = new();
    private int _rowsRead;
    private int _readsFromStart;
    private Func<ReminderEntry?, Task>? _beforeRead;

    public IDurableStore Inner => inner;

    /// <summary>Rows returned by due-reads so far.</summary>
    public int RowsRead => Volatile.Read(ref _rowsRead);

    /// <summary>Due-reads that started at the beginning of the table (no keyset cursor): one per scan from the start.</summary>
    public int ReadsFromStart => Volatile.Read(ref _readsFromStart);

    /// <summary>The keyset cursor of every due-read so far, in the order they were issued (null: from the start).</summary>
    public IReadOnlyList<ReminderEntry?> Cursors => [.. _cursors];

    public void FailAdvances(string grainType, string grainKey, string name, int times) => _failAdvances[(grainType, grainKey, name)] = times;

    public int AdvanceAttempts(string grainType, string grainKey, string name) => _advanceAttempts.GetValueOrDefault((grainType, grainKey, name));

    /// <summary>Runs <paramref name="action"/> once, before the first due-read it says yes to (given the read's keyset cursor).</summary>
    public void BeforeRead(Func<ReminderEntry?, bool> when, Func<Task> action)
    {
        var done = 0;
        _beforeRead = async after =>
        {
            if (Volatile.Read(ref done) == 0 && when(after) && Interlocked.Exchange(ref done, 1) == 0)
            {
                await action();
            }
        };
    }

    public string ProviderName => inner.ProviderName;

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(
        DateTimeOffset dueBefore, HashRange range, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default)
    {
        await (_beforeRead?.Invoke(after) ?? Task.CompletedTask);
        Interlocked.Add(ref _readsFromStart, after is null ? 1 : 0);
        _cursors.Enqueue(after);
        var rows = await inner.ReadDueAsync(dueBefore, range, limit, after, cancellationToken);
        Interlocked.Add(ref _rowsRead, rows.Count);
        return rows;
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueInRangesAsync(
        DateTimeOffset dueBefore, IReadOnlyList<HashRange> ranges, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default)
    {
        await (_beforeRead?.Invoke(after) ?? Task.CompletedTask);
        Interlocked.Add(ref _readsFromStart, after is null ? 1 : 0);
        _cursors.Enqueue(after);
        var rows = await inner.ReadDueInRangesAsync(dueBefore, ranges, limit, after, cancellationToken);
        Interlocked.Add(ref _rowsRead, rows.Count);
        return rows;
    }

    public Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default)
    {
        var key = (entry.GrainType, entry.GrainKey, entry.Name);
        _advanceAttempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_failAdvances.TryGetValue(key, out var left) && left > 0 && _failAdvances.TryUpdate(key, left - 1, left))
        {
            return Task.FromException<bool>(new IOException($"injected: advancing {entry.GrainKey}/{entry.Name} failed"));
        }

        return inner.AdvanceAsync(entry, nextDue, expectedEtag, cancellationToken);
    }

    public Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default) => inner.UpsertAsync(entry, cancellationToken);

    public Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default) =>
        inner.RemoveAsync(grainType, grainKey, name, cancellationToken);

    public Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default) =>
        inner.ReadForGrainAsync(grainType, grainKey, cancellationToken);

    public Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default) => inner.ReadStateAsync(id, cancellationToken);

    public Task<StateWriteResult> WriteStateAsync(
        GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) =>
        inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);

    public Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default) => inner.ClearStateAsync(id, expectedEtag, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default) => inner.AppendAsync(events, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(topic, afterSequence, limit, cancellationToken);

    public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default) => inner.GetLastSequenceAsync(topic, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
