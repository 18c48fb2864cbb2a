namespace ArActors.Runtime.Storage;

/// <summary>Identifies one named piece of persistent state of one grain. Unique in every store.</summary>
public readonly record struct GrainStateId(string GrainType, string GrainKey, string StateName)
{
    public override string ToString() => $"{GrainType}/{GrainKey}#{StateName}";
}

/// <summary>A state row as read from a store. <see cref="Etag"/> changes on every successful write.</summary>
public sealed record StoredState(ReadOnlyMemory<byte> Payload, string Etag);

/// <summary>An event a grain publishes; the store assigns its per-topic sequence number when it commits.</summary>
public sealed record EventDraft(
    string Topic,
    string EventType,
    string SourceGrainType,
    string SourceGrainKey,
    ReadOnlyMemory<byte> Payload,
    DateTimeOffset Timestamp);

/// <summary>A committed event. Sequence numbers are per topic, start at 1 and have no gaps.</summary>
public sealed record StoredEvent(
    string Topic,
    long Sequence,
    string EventType,
    string SourceGrainType,
    string SourceGrainKey,
    ReadOnlyMemory<byte> Payload,
    DateTimeOffset Timestamp);

/// <summary>Outcome of a committed state write: the new ETag and the events committed in the same transaction.</summary>
public sealed record StateWriteResult(string Etag, IReadOnlyList<StoredEvent> Events);

/// <summary>
/// Durable grain state. A write or clear names the ETag it read (null: the row must not exist); a mismatch throws
/// <see cref="InconsistentStateException"/> and changes nothing. A returned task means the change is durable.
/// Implementations group-commit concurrent writes into one transaction; one write's conflict never fails another's.
/// </summary>
public interface IGrainStorage
{
    Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default);

    /// <summary>Writes the state and appends <paramref name="events"/> atomically (transactional outbox).</summary>
    Task<StateWriteResult> WriteStateAsync(
        GrainStateId id,
        ReadOnlyMemory<byte> payload,
        string? expectedEtag,
        IReadOnlyList<EventDraft> events,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes the row. Afterwards a write must name a null ETag.</summary>
    Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default);
}

/// <summary>Durable, ordered event outbox. Per topic, sequences are assigned in commit order without gaps.</summary>
public interface IEventLog
{
    Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default);

    /// <summary>Events of <paramref name="topic"/> with sequence greater than <paramref name="afterSequence"/>, ascending.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The highest committed sequence of the topic, 0 when it has none.</summary>
    Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default);
}

/// <summary>
/// A durable reminder definition. <see cref="Hash"/> is the 32-bit hash of the grain's placement key so that a
/// cluster can split the table into ranges; <see cref="NextDue"/> is the next occurrence not yet delivered.
/// </summary>
public sealed record ReminderEntry(
    string GrainType,
    string GrainKey,
    string Name,
    uint Hash,
    DateTimeOffset FirstDue,
    TimeSpan Period,
    DateTimeOffset NextDue,
    string? Etag = null);

/// <summary>An inclusive range of grain hashes; a range with <c>From &gt; To</c> wraps around zero.</summary>
public readonly record struct HashRange(uint From, uint To)
{
    public static readonly HashRange Full = new(0, uint.MaxValue);

    public bool Contains(uint hash) => From <= To ? hash >= From && hash <= To : hash >= From || hash <= To;
}

/// <summary>
/// Durable reminder definitions, indexed by (next due, hash) so a silo loads only the reminders due within a window
/// of its own ranges and never the whole table.
/// </summary>
public interface IReminderTable
{
    /// <summary>Inserts or replaces the reminder; returns the entry with its new ETag.</summary>
    Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default);

    Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reminders in <paramref name="range"/> with NextDue &lt;= <paramref name="dueBefore"/>, ordered by (NextDue, GrainType,
    /// GrainKey, Name), starting strictly after <paramref name="after"/> when given (keyset paging).
    /// </summary>
    Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(
        DateTimeOffset dueBefore,
        HashRange range,
        int limit,
        ReminderEntry? after = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ReadDueAsync(DateTimeOffset, HashRange, int, ReminderEntry?, CancellationToken)"/> over the union of
    /// several disjoint <paramref name="ranges"/> (a silo's share of the ring): the same page one query over the union
    /// returns. The default asks once per range and merges (<see cref="ReminderRangeReads.PerRangeAsync"/>); PostgreSQL
    /// answers it in one statement.
    /// </summary>
    Task<IReadOnlyList<ReminderEntry>> ReadDueInRangesAsync(
        DateTimeOffset dueBefore,
        IReadOnlyList<HashRange> ranges,
        int limit,
        ReminderEntry? after = null,
        CancellationToken cancellationToken = default) =>
        ReminderRangeReads.PerRangeAsync(this, dueBefore, ranges, limit, after, cancellationToken);

    /// <summary>
    /// Moves NextDue forward after a delivery, only if the row still has <paramref name="expectedEtag"/>
    /// (a re-registration in between wins). The ETag names the registration: advancing keeps it, only an upsert
    /// issues a new one. Returns false when the reminder was re-registered or removed.
    /// </summary>
    Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default);
}

/// <summary>One store backs all three contracts; the runtime creates and migrates its schema at start.</summary>
public interface IDurableStore : IGrainStorage, IEventLog, IReminderTable, IAsyncDisposable
{
    string ProviderName { get; }

    /// <summary>Creates or migrates the schema. Idempotent; safe for several processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Cheap round trip used by readiness checks.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}

/// <summary>A write or clear named an ETag that is no longer current. Nothing was changed.</summary>
public sealed class InconsistentStateException : Exception
{
    public InconsistentStateException() { }

    public InconsistentStateException(string message) : base(message) { }

    public InconsistentStateException(string message, Exception innerException) : base(message, innerException) { }

    public InconsistentStateException(GrainStateId id, string? expectedEtag, string? currentEtag)
        : base($"ETag mismatch writing {id}: expected '{expectedEtag ?? "<none>"}', store has '{currentEtag ?? "<none>"}'.")
    {
        StateId = id;
        ExpectedEtag = expectedEtag;
        CurrentEtag = currentEtag;
    }

    public GrainStateId? StateId { get; }

    public string? ExpectedEtag { get; }

    public string? CurrentEtag { get; }
}

/// <summary>Reading due reminders over several hash ranges.</summary>
public static class ReminderRangeReads
{
    /// <summary>
    /// One keyset page per range, merged in the table's order and cut to <paramref name="limit"/>. Each range's rows
    /// after the cursor come in order, so the first <paramref name="limit"/> of the merge are the first of the union.
    /// </summary>
    public static async Task<IReadOnlyList<ReminderEntry>> PerRangeAsync(
        IReminderTable table, DateTimeOffset dueBefore, IReadOnlyList<HashRange> ranges, int limit, ReminderEntry? after, CancellationToken cancellationToken)
    {
        if (ranges.Count == 1)
        {
            return await table.ReadDueAsync(dueBefore, ranges[0], limit, after, cancellationToken).ConfigureAwait(false);
        }

        var merged = new List<ReminderEntry>();
        foreach (var range in ranges)
        {
            merged.AddRange(await table.ReadDueAsync(dueBefore, range, limit, after, cancellationToken).ConfigureAwait(false));
        }

        return [.. merged
            .OrderBy(e => e.NextDue)
            .ThenBy(e => e.GrainType, StringComparer.Ordinal)
            .ThenBy(e => e.GrainKey, StringComparer.Ordinal)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .Take(limit)];
    }

    /// <summary>
    /// The ranges as two parallel arrays of inclusive bounds, ascending and without wrap (a wrapping range becomes its
    /// two halves), for a search by lower bound.
    /// </summary>
    public static (long[] From, long[] To) AsSortedBounds(IReadOnlyList<HashRange> ranges)
    {
        var split = new List<(long From, long To)>(ranges.Count + 1);
        foreach (var range in ranges)
        {
            if (range.From <= range.To)
            {
                split.Add((range.From, range.To));
            }
            else
            {
                split.Add((range.From, uint.MaxValue));
                split.Add((0, range.To));
            }
        }

        split.Sort((a, b) => a.From.CompareTo(b.From));
        for (var i = 1; i < split.Count; i++)
        {
            if (split[i].From <= split[i - 1].To)
            {
                throw new ArgumentException($"Hash ranges overlap: [{split[i - 1].From}, {split[i - 1].To}] and [{split[i].From}, {split[i].To}].", nameof(ranges));
            }
        }

        return ([.. split.Select(r => r.From)], [.. split.Select(r => r.To)]);
    }
}
