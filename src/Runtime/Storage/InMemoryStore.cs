namespace ArActors.Runtime.Storage;

/// <summary>
/// The reference <see cref="IDurableStore"/>: every contract's semantics, in memory. State ETags and reminder ETags are
/// version numbers; <see cref="AdvanceAsync"/> keeps a reminder's ETag (only an upsert changes it).
/// </summary>
public sealed class InMemoryStore : IDurableStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<GrainStateId, (byte[] Payload, long Version)> _states = [];
    private readonly Dictionary<string, List<StoredEvent>> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, string Key, string Name), ReminderEntry> _reminders = [];
    private readonly SortedSet<ReminderEntry> _remindersByDue = new(DueOrder.Instance);
    private long _nextVersion;
    private bool _disposed;

    public string ProviderName => "InMemory";

    /// <summary>Reminder rows in the table, for tests that check the service never loads them all.</summary>
    public int ReminderCount
    {
        get
        {
            lock (_lock)
            {
                return _reminders.Count;
            }
        }
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        return ValueTask.CompletedTask;
    }

    public Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_states.TryGetValue(id, out var row)
                ? new StoredState(row.Payload.ToArray(), Etag(row.Version))
                : null);
        }
    }

    public Task<StateWriteResult> WriteStateAsync(
        GrainStateId id,
        ReadOnlyMemory<byte> payload,
        string? expectedEtag,
        IReadOnlyList<EventDraft> events,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _states.TryGetValue(id, out var row) ? Etag(row.Version) : null;
            if (current != expectedEtag)
            {
                // A conflict is an outcome of the write, so it faults the task as the durable stores' does.
                return Task.FromException<StateWriteResult>(new InconsistentStateException(id, expectedEtag, current));
            }

            var version = ++_nextVersion;
            _states[id] = (payload.ToArray(), version);
            return Task.FromResult(new StateWriteResult(Etag(version), AppendLocked(events)));
        }
    }

    public Task ClearStateAsync(GrainStateId id, string? expectedEtag, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _states.TryGetValue(id, out var row) ? Etag(row.Version) : null;
            if (current != expectedEtag)
            {
                return Task.FromException(new InconsistentStateException(id, expectedEtag, current));
            }

            _states.Remove(id);
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<StoredEvent>> AppendAsync(IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return Task.FromResult(AppendLocked(events));
        }
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_lock)
        {
            if (!_topics.TryGetValue(topic, out var log) || afterSequence >= log.Count)
            {
                return Task.FromResult<IReadOnlyList<StoredEvent>>([]);
            }

            // Sequence n lives at index n - 1: the log has no gaps.
            var start = (int)Math.Max(0, afterSequence);
            var count = Math.Min(limit, log.Count - start);
            return Task.FromResult<IReadOnlyList<StoredEvent>>(log.GetRange(start, count));
        }
    }

    public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_topics.TryGetValue(topic, out var log) ? (long)log.Count : 0L);
        }
    }

    public Task<ReminderEntry> UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var key = (entry.GrainType, entry.GrainKey, entry.Name);
            if (_reminders.TryGetValue(key, out var existing))
            {
                _remindersByDue.Remove(existing);
            }

            var stored = entry with { Etag = Etag(++_nextVersion) };
            _reminders[key] = stored;
            _remindersByDue.Add(stored);
            return Task.FromResult(stored);
        }
    }

    public Task<bool> RemoveAsync(string grainType, string grainKey, string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_reminders.Remove((grainType, grainKey, name), out var existing))
            {
                return Task.FromResult(false);
            }

            _remindersByDue.Remove(existing);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(
                [.. _reminders.Values.Where(r => r.GrainType == grainType && r.GrainKey == grainKey).OrderBy(r => r.Name, StringComparer.Ordinal)]);
        }
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(
        DateTimeOffset dueBefore,
        HashRange range,
        int limit,
        ReminderEntry? after = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_lock)
        {
            var result = new List<ReminderEntry>(Math.Min(limit, 1024));
            if (limit == 0 || _remindersByDue.Count == 0)
            {
                return Task.FromResult<IReadOnlyList<ReminderEntry>>(result);
            }

            var lower = after ?? DueOrder.Lowest;
            var upper = DueOrder.UpperBound(dueBefore);
            if (DueOrder.Instance.Compare(lower, upper) > 0)
            {
                return Task.FromResult<IReadOnlyList<ReminderEntry>>(result);
            }

            foreach (var entry in _remindersByDue.GetViewBetween(lower, upper))
            {
                if (after is not null && DueOrder.Instance.Compare(entry, after) <= 0)
                {
                    continue;
                }

                if (entry.NextDue > dueBefore)
                {
                    break;
                }

                if (range.Contains(entry.Hash))
                {
                    result.Add(entry);
                    if (result.Count == limit)
                    {
                        break;
                    }
                }
            }

            return Task.FromResult<IReadOnlyList<ReminderEntry>>(result);
        }
    }

    public Task<bool> AdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, string expectedEtag, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var key = (entry.GrainType, entry.GrainKey, entry.Name);
            if (!_reminders.TryGetValue(key, out var current) || current.Etag != expectedEtag)
            {
                return Task.FromResult(false);
            }

            _remindersByDue.Remove(current);
            var advanced = current with { NextDue = nextDue };
            _reminders[key] = advanced;
            _remindersByDue.Add(advanced);
            return Task.FromResult(true);
        }
    }

    private IReadOnlyList<StoredEvent> AppendLocked(IReadOnlyList<EventDraft> events)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var committed = new StoredEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var draft = events[i];
            if (!_topics.TryGetValue(draft.Topic, out var log))
            {
                _topics[draft.Topic] = log = [];
            }

            var stored = new StoredEvent(draft.Topic, log.Count + 1, draft.EventType, draft.SourceGrainType, draft.SourceGrainKey, draft.Payload.ToArray(), draft.Timestamp);
            log.Add(stored);
            committed[i] = stored;
        }

        return committed;
    }

    private static string Etag(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>(NextDue, GrainType, GrainKey, Name), ordinal: the order of the contract's keyset paging.</summary>
    private sealed class DueOrder : IComparer<ReminderEntry>
    {
        public static readonly DueOrder Instance = new();

        public static readonly ReminderEntry Lowest = new(string.Empty, string.Empty, string.Empty, 0, DateTimeOffset.MinValue, TimeSpan.Zero, DateTimeOffset.MinValue);

        // Sorts after every real row due at or before dueBefore: the next tick with empty names.
        public static ReminderEntry UpperBound(DateTimeOffset dueBefore) =>
            dueBefore.UtcTicks >= DateTimeOffset.MaxValue.UtcTicks
                ? Lowest with { NextDue = DateTimeOffset.MaxValue, GrainType = "\uffff" }
                : Lowest with { NextDue = new DateTimeOffset(dueBefore.UtcTicks + 1, TimeSpan.Zero) };

        public int Compare(ReminderEntry? x, ReminderEntry? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null)
            {
                return -1;
            }

            if (y is null)
            {
                return 1;
            }

            var c = x.NextDue.UtcTicks.CompareTo(y.NextDue.UtcTicks);
            if (c == 0)
            {
                c = string.CompareOrdinal(x.GrainType, y.GrainType);
            }

            if (c == 0)
            {
                c = string.CompareOrdinal(x.GrainKey, y.GrainKey);
            }

            return c != 0 ? c : string.CompareOrdinal(x.Name, y.Name);
        }
    }
}
