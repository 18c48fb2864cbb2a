using ArActors.Runtime.Diagnostics;
using ArActors.Runtime.Invocation;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace ArActors.Runtime.Reminders;

/// <summary>
/// Delivers durable reminders. Memory holds only a window: the reminders due within the look-ahead, at most
/// <see cref="SiloOptions.ReminderWindowCapacity"/>, read with keyset paging. One clock timer is armed for the earliest
/// of them. A tick is a grain turn; afterwards NextDue advances (at least once: a crash in between redelivers).
/// Occurrences missed while no silo ran are delivered once, as a catch-up tick.
/// </summary>
internal sealed class ReminderService : IAsyncDisposable
{
    private readonly Silo _silo;
    private readonly SiloOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Type, string Key, string Name), ReminderEntry> _window = [];
    private readonly PriorityQueue<ReminderEntry, long> _due = new();
    private readonly SemaphoreSlim _refillGate = new(1, 1);
    private ITimer? _dueTimer;
    private ITimer? _refreshTimer;
    private readonly Dictionary<(string Type, string Key, string Name), DateTimeOffset> _deliveredDuringScan = [];
    // Set when the last scan stopped at capacity: the due time of the first row it could not hold. Entries due at or
    // after it stay in the table for a later scan, so the window always holds the earliest due (short periods that come
    // back inside the look-ahead would otherwise keep it full and starve rows that were due before them).
    private DateTimeOffset? _windowEnd;
    private bool _deferredDuringScan;
    private bool _scanning;
    private int _refillRequested;
    private bool _running;
    private int _peak;
    private DateTimeOffset _startedAt;

    public ReminderService(Silo silo, SiloOptions options, ILogger logger)
    {
        _silo = silo;
        _options = options;
        _logger = logger;
    }

    private HashRange Range => _options.ReminderHashRange;

    /// <summary>Whether this silo delivers the reminders of <paramref name="hash"/>: its ring ranges in a cluster, else the configured range.</summary>
    private bool Owns(uint hash) => _silo.Cluster is { } cluster ? cluster.OwnsHash(hash) : Range.Contains(hash);

    /// <summary>Reminders held in memory now (scheduled or being delivered).</summary>
    public int InMemoryCount
    {
        get
        {
            lock (_lock)
            {
                return _window.Count;
            }
        }
    }

    /// <summary>The most reminders ever held in memory at once.</summary>
    public int PeakInMemoryCount => Volatile.Read(ref _peak);

    private IReminderTable Table => _silo.DefaultStore;

    private TimeProvider Clock => _silo.TimeProvider;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _running = true;
            _startedAt = Clock.GetUtcNow();
            _dueTimer = Clock.CreateTimer(static s => ((ReminderService)s!).DeliverDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        await RefillAsync(cancellationToken);
        var refresh = _options.ReminderRefreshInterval ?? _options.ReminderLookAhead / 2;
        lock (_lock)
        {
            _refreshTimer = Clock.CreateTimer(static s => ((ReminderService)s!).TriggerRefill(), this, refresh, refresh);
        }
    }

    public Task StopAsync()
    {
        lock (_lock)
        {
            _running = false;
            _windowEnd = null;
            _dueTimer?.Dispose();
            _refreshTimer?.Dispose();
            _window.Clear();
            _due.Clear();
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public async Task<IGrainReminder> RegisterAsync(GrainId grain, string name, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        if (period <= TimeSpan.Zero || period < _options.ReminderMinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"A reminder period must be positive and at least {_options.ReminderMinimumPeriod}.");
        }

        var firstDue = Clock.GetUtcNow() + dueTime;
        var entry = new ReminderEntry(grain.Type, grain.Key, name, GrainHash.Of(grain.PlacementKey), firstDue, period, firstDue);
        var stored = await Table.UpsertAsync(entry);
        OnUpserted(stored);
        return ToGrainReminder(stored);
    }

    public async Task UnregisterAsync(GrainId grain, string name)
    {
        await Table.RemoveAsync(grain.Type, grain.Key, name);
        lock (_lock)
        {
            _window.Remove((grain.Type, grain.Key, name));
        }
    }

    public async Task<IReadOnlyList<IGrainReminder>> GetRemindersAsync(GrainId grain)
    {
        var entries = await Table.ReadForGrainAsync(grain.Type, grain.Key);
        return [.. entries.Select(ToGrainReminder)];
    }

    /// <summary>A registration within the window is scheduled now, not at the next page load.</summary>
    private void OnUpserted(ReminderEntry entry)
    {
        var key = KeyOf(entry);
        lock (_lock)
        {
            if (!_running || !Owns(entry.Hash))
            {
                return;
            }

            if (FitsWindow(entry.NextDue))
            {
                Hold(entry);
            }
            else
            {
                _window.Remove(key);
            }
        }

        DeliverDue();
    }

    private void TriggerRefill()
    {
        _silo.BackgroundWork.Enter();
        _ = RefillAndReleaseAsync();

        async Task RefillAndReleaseAsync()
        {
            try
            {
                await RefillAsync(CancellationToken.None);
            }
            catch (Exception exception)
            {
                _logger.LogError(exception, "Loading due reminders failed; the next refresh retries");
            }
            finally
            {
                _silo.BackgroundWork.Exit();
            }
        }
    }

    /// <summary>Reads due reminders page by page (keyset) until the window is full or none are left.</summary>
    private async Task RefillAsync(CancellationToken cancellationToken)
    {
        // A refill asked for while one runs is not lost: the running one scans again.
        Interlocked.Exchange(ref _refillRequested, 1);
        while (Volatile.Read(ref _refillRequested) == 1 && await _refillGate.WaitAsync(0, cancellationToken))
        {
            try
            {
                while (Interlocked.Exchange(ref _refillRequested, 0) == 1)
                {
                    await ScanAsync(cancellationToken);
                }
            }
            finally
            {
                _refillGate.Release();
            }
        }

        DeliverDue();
    }

    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _scanning = true;
            _deferredDuringScan = false;
            _deliveredDuringScan.Clear();
        }

        try
        {
            await ScanPagesAsync(cancellationToken);
        }
        finally
        {
            lock (_lock)
            {
                _scanning = false;
                _deliveredDuringScan.Clear();
            }
        }
    }

    private async Task ScanPagesAsync(CancellationToken cancellationToken)
    {
        var horizon = Clock.GetUtcNow() + _options.ReminderLookAhead;
        IReadOnlyList<HashRange> ranges = _silo.Cluster is { } cluster ? cluster.OwnRanges : [Range];
        if (ranges.Count == 0)
        {
            return;
        }

        ReminderEntry? after = null;
        DateTimeOffset? truncatedAt = null;
        while (truncatedAt is null)
        {
            lock (_lock)
            {
                if (!_running)
                {
                    return;
                }
            }

            var page = await ReadDuePageAsync(horizon, ranges, after, cancellationToken);
            lock (_lock)
            {
                foreach (var entry in page)
                {
                    // A page read before a delivery advanced its row would bring the delivered occurrence back.
                    if (_window.ContainsKey(KeyOf(entry))
                        || (_deliveredDuringScan.TryGetValue(KeyOf(entry), out var delivered) && entry.NextDue <= delivered))
                    {
                        continue;
                    }

                    if (_window.Count >= _options.ReminderWindowCapacity)
                    {
                        truncatedAt = entry.NextDue;
                        break;
                    }

                    Hold(entry);
                }

                // The previous bound stays until this scan knows better: clearing it mid-scan would let deliveries re-hold
                // their next occurrences ahead of rows this scan has not reached yet.
                if (truncatedAt is not null)
                {
                    _windowEnd = truncatedAt;
                }
                else if (page.Count < _options.ReminderPageSize)
                {
                    _windowEnd = null;
                    if (_deferredDuringScan)
                    {
                        // Kept out by the old bound while this scan passed where they now sit: read them again.
                        Interlocked.Exchange(ref _refillRequested, 1);
                    }
                }
            }

            // Rows already overdue (a burst beyond capacity, a catch-up) start now, not after the last page.
            DeliverDue();
            if (page.Count < _options.ReminderPageSize)
            {
                break;
            }

            after = page[^1];
        }
    }

    /// <summary>One keyset page over this silo's ranges (one statement on PostgreSQL, however many ranges).</summary>
    private Task<IReadOnlyList<ReminderEntry>> ReadDuePageAsync(
        DateTimeOffset horizon, IReadOnlyList<HashRange> ranges, ReminderEntry? after, CancellationToken cancellationToken) =>
        Table.ReadDueInRangesAsync(horizon, ranges, _options.ReminderPageSize, after, cancellationToken);

    /// <summary>Ranges moved (a silo joined, left or died): drop what this silo no longer owns and read what it gained.</summary>
    public void OnRangesChanged()
    {
        lock (_lock)
        {
            if (!_running)
            {
                return;
            }

            foreach (var key in _window.Where(pair => !Owns(pair.Value.Hash)).Select(pair => pair.Key).ToList())
            {
                _window.Remove(key);
            }
        }

        TriggerRefill();
    }

    /// <summary>Due within the look-ahead and, when the table holds more than fits, before the first row left out. Under the lock.</summary>
    private bool FitsWindow(DateTimeOffset nextDue)
    {
        if (nextDue > Clock.GetUtcNow() + _options.ReminderLookAhead)
        {
            return false;
        }

        if (_windowEnd is { } end && nextDue >= end)
        {
            _deferredDuringScan |= _scanning;
            return false;
        }

        return true;
    }

    private void Hold(ReminderEntry entry)
    {
        _window[KeyOf(entry)] = entry;
        _due.Enqueue(entry, entry.NextDue.UtcTicks);
        if (_window.Count > _peak)
        {
            Volatile.Write(ref _peak, _window.Count);
        }
    }

    /// <summary>Starts delivery of everything due now and arms the clock timer for the earliest remaining reminder.</summary>
    private void DeliverDue()
    {
        List<ReminderEntry>? due = null;
        lock (_lock)
        {
            if (!_running)
            {
                return;
            }

            var now = Clock.GetUtcNow();
            while (_due.TryPeek(out var entry, out var ticks))
            {
                if (!_window.TryGetValue(KeyOf(entry), out var current) || !ReferenceEquals(current, entry))
                {
                    _due.Dequeue();
                    continue;
                }

                // Held by a scan that read the ranges before they moved: the new owner delivers it.
                if (!Owns(entry.Hash))
                {
                    _window.Remove(KeyOf(entry));
                    _due.Dequeue();
                    continue;
                }

                if (ticks > now.UtcTicks)
                {
                    _dueTimer!.Change(TimeSpan.FromTicks(ticks - now.UtcTicks), Timeout.InfiniteTimeSpan);
                    break;
                }

                _due.Dequeue();
                (due ??= []).Add(entry);
            }

            if (_due.Count == 0)
            {
                _dueTimer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        if (due is null)
        {
            return;
        }

        foreach (var entry in due)
        {
            _silo.BackgroundWork.Enter();
            _ = DeliverAsync(entry);
        }
    }

    private async Task DeliverAsync(ReminderEntry entry)
    {
        try
        {
            var now = Clock.GetUtcNow();
            var occurrences = now <= entry.NextDue ? 1 : (int)Math.Min(int.MaxValue, 1 + ((now - entry.NextDue).Ticks / entry.Period.Ticks));
            // Due before this silo started, or several periods behind: the silo was not there to deliver it.
            var status = new TickStatus(entry.FirstDue, entry.Period, entry.NextDue, now, occurrences, occurrences > 1 || entry.NextDue < _startedAt);
            RuntimeInstruments.ReminderLateness.Record(Math.Max(0, (now - entry.NextDue).TotalMilliseconds));
            try
            {
                await _silo.DeliverReminderTickAsync(new GrainId(entry.GrainType, entry.GrainKey), entry.Name, status);
            }
            catch (Exception exception) when (exception is TimeoutException or SiloUnavailableException or Clustering.SiloNotServingException)
            {
                // Not delivered (the grain never ran it): keep the occurrence and try again, rather than advance past it.
                _logger.LogWarning(exception, "Reminder {Reminder} of {GrainType}/{GrainKey} was not delivered; retrying", entry.Name, entry.GrainType, entry.GrainKey);
                lock (_lock)
                {
                    if (_running && _window.TryGetValue(KeyOf(entry), out var current) && ReferenceEquals(current, entry))
                    {
                        _due.Enqueue(entry, (Clock.GetUtcNow() + _options.ReminderRetryDelay).UtcTicks);
                    }
                }

                DeliverDue();
                return;
            }
            catch (Exception exception)
            {
                // The handler ran and threw: like Orleans, the occurrence counts as delivered.
                _logger.LogWarning(exception, "Reminder {Reminder} of {GrainType}/{GrainKey} failed at {ScheduledTime}", entry.Name, entry.GrainType, entry.GrainKey, entry.NextDue);
            }

            var next = entry.NextDue + (entry.Period * occurrences);
            var advanced = false;
            try
            {
                advanced = entry.Etag is not null && await Table.AdvanceAsync(entry, next, entry.Etag);
            }
            catch (Exception exception)
            {
                _logger.LogWarning(exception, "Advancing reminder {Reminder} of {GrainType}/{GrainKey} failed; it will be redelivered", entry.Name, entry.GrainType, entry.GrainKey);
            }

            var refill = false;
            lock (_lock)
            {
                var key = KeyOf(entry);
                if (!_running || !_window.TryGetValue(key, out var current) || !ReferenceEquals(current, entry))
                {
                    // Re-registered or removed during the tick: the newer definition is already in charge.
                    return;
                }

                _window.Remove(key);
                if (_scanning)
                {
                    _deliveredDuringScan[key] = entry.NextDue;
                }

                if (advanced && FitsWindow(next))
                {
                    Hold(entry with { NextDue = next });
                }

                // A running scan already fills the slots freed meanwhile; asking again would only re-read the window.
                refill = !_scanning && _windowEnd is not null && _window.Count <= _options.ReminderWindowCapacity / 2;
            }

            if (refill)
            {
                TriggerRefill();
            }

            DeliverDue();
        }
        finally
        {
            _silo.BackgroundWork.Exit();
        }
    }

    private static (string, string, string) KeyOf(ReminderEntry entry) => (entry.GrainType, entry.GrainKey, entry.Name);

    private static GrainReminder ToGrainReminder(ReminderEntry entry) => new(entry.Name, entry.FirstDue, entry.Period, entry.NextDue);
}

/// <summary>The turn that hands a tick to <see cref="IRemindable.ReceiveReminder"/>.</summary>
internal sealed class ReminderTickRequest(string reminderName, TickStatus status) : GrainRequest<VoidResult>
{
    public override string MethodId => "ArActors.Runtime.IRemindable.ReceiveReminder";

    public override ValueTask<VoidResult> InvokeAsync(object grain) =>
        grain is IRemindable remindable
            ? Complete(remindable.ReceiveReminder(reminderName, status))
            : throw new InvalidOperationException($"{grain.GetType().Name} has reminders but does not implement IRemindable.");
}
