using System.Collections.Concurrent;
using ArActors.Runtime.Storage;
using ArActors.TestKit;

namespace ArActors.Runtime.Tests.Reminders;

/// <summary>
/// A real store with the reminder table observed: counts the rows due-reads return, can make the advances of chosen
/// reminders fail, and can write a row "from another silo" (straight into the table) just before a given read.
/// </summary>
internal sealed class ObservedReminderStore(IDurableStore inner) : DelegatingStore(inner)
{
    private readonly ConcurrentDictionary<(string Type, string Key, string Name), int> _failAdvances = new();
    private readonly ConcurrentDictionary<(string Type, string Key, string Name), int> _advanceAttempts = new();
    private readonly ConcurrentQueue<ReminderEntry?> _cursors = new();
    private int _rowsRead;
    private int _readsFromStart;
    private Func<ReminderEntry?, Task>? _beforeRead;

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

    public override Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(
        DateTimeOffset dueBefore, HashRange range, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default) =>
        ObserveAsync(after, () => Inner.ReadDueAsync(dueBefore, range, limit, after, cancellationToken));

    public override Task<IReadOnlyList<ReminderEntry>> ReadDueInRangesAsync(
        DateTimeOffset dueBefore, IReadOnlyList<HashRange> ranges, int limit, ReminderEntry? after = null, CancellationToken cancellationToken = default) =>
        ObserveAsync(after, () => Inner.ReadDueInRangesAsync(dueBefore, ranges, limit, after, cancellationToken));

    public override Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default)
    {
        var key = (entry.GrainType, entry.GrainKey, entry.Name);
        _advanceAttempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_failAdvances.TryGetValue(key, out var left) && left > 0 && _failAdvances.TryUpdate(key, left - 1, left))
        {
            return Task.FromException<bool>(new IOException($"injected: advancing {entry.GrainKey}/{entry.Name} failed"));
        }

        return Inner.AdvanceAsync(entry, nextDue, expectedEtag, cancellationToken);
    }

    private async Task<IReadOnlyList<ReminderEntry>> ObserveAsync(ReminderEntry? after, Func<Task<IReadOnlyList<ReminderEntry>>> read)
    {
        await (_beforeRead?.Invoke(after) ?? Task.CompletedTask);
        Interlocked.Add(ref _readsFromStart, after is null ? 1 : 0);
        _cursors.Enqueue(after);
        var rows = await read();
        Interlocked.Add(ref _rowsRead, rows.Count);
        return rows;
    }
}
