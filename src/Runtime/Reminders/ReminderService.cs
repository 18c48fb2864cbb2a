using ArActors.Runtime.Diagnostics;
using ArActors.Runtime.Invocation;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace ArActors.Runtime.Reminders;

/// <summary>
/// Delivers durable reminders. Memory holds only a window: the reminders due within the look-ahead, at most
/// <see cref="SiloOptions.ReminderWindowCapacity"/>, read with keyset paging. One clock timer is armed for the earliest
/// of them. A tick is a grain turn; afterwards NextDue advances (at least once: a crash in between redelivers).
/// Occurrences missed while no silo ran are delivered once, as a catch-up tick. When more are due than fit, a refill
/// continues after the last row the previous scan passed instead of re-reading the window from its start.
/// </summary>
internal sealed class ReminderService : IAsyncDisposable
{
    private readonly Silo _silo;
    private readonly SiloOptions _options;
    /// <summary>The debug line a refill scan writes when it ends (kind "from start" or "continued"): a stable id to filter on.</summary>
    internal static readonly EventId ScanEnded = new(1, "ReminderScanEnded");

    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Type, string Key, string Name), ReminderEntry> _window = [];
    private readonly PriorityQueue<ReminderEntry, long> _due = new();
    private readonly SemaphoreSlim _refillGate = new(1, 1);
    private ITimer? _dueTimer;
    private ITimer? _refreshTimer;
    private readonly Dictionary<(string Type, string Key, string Name), DateTimeOffset> _deliveredDuringScan = [];
    // Delivered, but the row could not be advanced: the entry keeps its slot and only the advance is tried again (a
    // refill that continues after the window would never read the row at its old place).
    private readonly Dictionary<(string Type, string Key, string Name), DateTimeOffset> _advancePending = [];
    // Next occurrences and registrations the running scan has not reached yet: held when a page passes them, so one
    // written just after a page query read its range is not lost behind the scan.
    private readonly Dictionary<(string Type, string Key, string Name), ReminderEntry> _aheadOfScan = [];
    // Set when the last scan stopped at capacity: the first row (in table order) it could not hold, or the last row of a
    // page that filled the window. Rows after it stay in the table for a later scan, so the window always holds the
    // earliest due (short periods that come back inside the look-ahead would otherwise keep it full and starve rows that
    // were due before them).
    private ReminderEntry? _windowEnd;
    // The last row that scan passed: a capacity refill reads on strictly after it.
    private ReminderEntry? _continueAfter;
    // The last row the running scan passed (null: it has passed none yet).
    private ReminderEntry? _scanPosition;
    // The next scan reads from the window's start: at start-up, on the periodic refresh, after the ranges moved or a scan
    // failed, and once after a chain of continuations, for rows other silos wrote behind the continuation point.
    private bool _fromStart = true;
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

    private IReminderTable Table => Store;

    private TimeProvider Clock => _silo.TimeProvider;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _running = true;
            _fromStart = true;
            _startedAt = Clock.GetUtcNow();
            _dueTimer = Clock.CreateTimer(static s => ((ReminderService)s!).DeliverDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        await RefillAsync(cancellationToken);
        var refresh = _options.ReminderRefreshInterval ?? _options.ReminderLookAhead / 2;
        lock (_lock)
        {
            _refreshTimer = Clock.CreateTimer(static s => ((ReminderService)s!).TriggerRefill(fromStart: true), this, refresh, refresh);
        }
    }

    public Task StopAsync()
    {
        lock (_lock)
        {
            _running = false;
            _windowEnd = null;
            _continueAfter = null;
            _dueTimer?.Dispose();
            _refreshTimer?.Dispose();
            _window.Clear();
            _due.Clear();
            _advancePending.Clear();
            _aheadOfScan.Clear();
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public async Task<IGrainReminder> RegisterAsync(GrainId grain, string name, TimeSpan dueTime, TimeSpan period)
    {
        var stored = await Table.UpsertAsync(Prepare(grain, name, dueTime, period));
        OnUpserted(stored);
        return ToGrainReminder(stored);
    }

    public async Task UnregisterAsync(GrainId grain, string name)
    {
        await Table.RemoveAsync(grain.Type, grain.Key, name);
        OnRemoved(grain.Type, grain.Key, name);
    }

    /// <summary>The table this service reads: a state write carries reminder changes only when it goes to this store.</summary>
    internal IDurableStore Store => _silo.DefaultStore;

    /// <summary>Validates a registration and builds its entry (first due = now + <paramref name="dueTime"/>), without storing it.</summary>
    internal ReminderEntry Prepare(GrainId grain, string name, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        if (period <= TimeSpan.Zero || period < _options.ReminderMinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"A reminder period must be positive and at least {_options.ReminderMinimumPeriod}.");
        }

        var firstDue = Clock.GetUtcNow() + dueTime;
        return new ReminderEntry(grain.Type, grain.Key, name, GrainHash.Of(grain.PlacementKey), firstDue, period, firstDue);
    }

    /// <summary>A removed registration is dropped from the in-memory window.</summary>
    internal void OnRemoved(string grainType, string grainKey, string name)
    {
        lock (_lock)
        {
            _window.Remove((grainType, grainKey, name));
            _advancePending.Remove((grainType, grainKey, name));
            _aheadOfScan.Remove((grainType, grainKey, name));
        }
    }

    public async Task<IReadOnlyList<IGrainReminder>> GetRemindersAsync(GrainId grain)
    {
        var entries = await Table.ReadForGrainAsync(grain.Type, grain.Key);
        return [.. entries.Select(ToGrainReminder)];
    }

    /// <summary>
    /// A stored registration (by <see cref="RegisterAsync"/> or by a state write that carried it) within the window is
    /// scheduled now, not at the next page load.
    /// </summary>
    internal void OnUpserted(ReminderEntry entry)
    {
        var key = KeyOf(entry);
        lock (_lock)
        {
            if (!_running || !Owns(entry.Hash))
            {
                return;
            }

            _advancePending.Remove(key);
            if (FitsWindow(entry))
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

    private void TriggerRefill(bool fromStart = false)
    {
        if (fromStart)
        {
            lock (_lock)
            {
                _fromStart = true;
            }
        }

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
        ReminderEntry? after;
        lock (_lock)
        {
            // A capacity refill asked for before the window filled up again (a delivery that completed just before another
            // scan), or after a scan read to the end: it would read a page only to leave it out, or nothing to continue.
            if (!_fromStart && (_windowEnd is null || !HasRoomForAPage()))
            {
                return;
            }

            // Continue only while the previous scan stopped at capacity; otherwise there is nothing after it to continue to.
            after = _fromStart ? null : _continueAfter;
            _fromStart = false;
            _scanning = true;
            _scanPosition = after;
            _deliveredDuringScan.Clear();
            _aheadOfScan.Clear();
        }

        var completed = false;
        try
        {
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            var (pages, rows, held) = await ScanPagesAsync(after, cancellationToken);
            _logger.LogDebug(
                ScanEnded,
                "Reminder scan ({Kind}): {Pages} pages, {Rows} rows, {Held} held in {Elapsed} ms",
                after is null ? "from start" : "continued", pages, rows, held, stopwatch.Elapsed.TotalMilliseconds);
            completed = true;
        }
        finally
        {
            lock (_lock)
            {
                _scanning = false;
                _scanPosition = null;
                _deliveredDuringScan.Clear();
                if (!completed)
                {
                    // The rows it had not reached are still in the table; whatever it held stays held.
                    _fromStart = true;
                    foreach (var (key, waiting) in _aheadOfScan)
                    {
                        if (!_window.ContainsKey(key))
                        {
                            Hold(waiting);
                        }
                    }
                }
                else if (_running && _windowEnd is not null && HasRoomForAPage())
                {
                    // Deliveries that completed while this scan ran left the refill to it, also those after its last read:
                    // without this the window could drain with rows still waiting behind it and nothing left to read them.
                    Interlocked.Exchange(ref _refillRequested, 1);
                }

                _aheadOfScan.Clear();
            }
        }
    }

    private async Task<(int Pages, int Rows, int Held)> ScanPagesAsync(ReminderEntry? after, CancellationToken cancellationToken)
    {
        var horizon = Clock.GetUtcNow() + _options.ReminderLookAhead;
        IReadOnlyList<HashRange> ranges = _silo.Cluster is { } cluster ? cluster.OwnRanges : [Range];
        var (pages, rows, held) = (0, 0, 0);
        if (ranges.Count == 0)
        {
            return (pages, rows, held);
        }

        var continued = after is not null;
        Task<IReadOnlyList<ReminderEntry>>? reading = ReadDuePageAsync(horizon, ranges, after, cancellationToken);
        while (reading is not null)
        {
            var page = await reading;
            reading = null;
            pages++;
            rows += page.Count;
            var readOn = false;
            lock (_lock)
            {
                if (!_running)
                {
                    return (pages, rows, held);
                }

                ReminderEntry? truncatedAt = null;
                foreach (var entry in page)
                {
                    // A page read before a delivery advanced its row would bring the delivered occurrence back.
                    if (_window.ContainsKey(KeyOf(entry))
                        || (_deliveredDuringScan.TryGetValue(KeyOf(entry), out var delivered) && entry.NextDue <= delivered))
                    {
                        _scanPosition = entry;
                        continue;
                    }

                    if (_window.Count >= _options.ReminderWindowCapacity)
                    {
                        truncatedAt = entry;
                        break;
                    }

                    Hold(entry);
                    held++;
                    _scanPosition = entry;
                }

                // The previous bound stays until this scan knows better: clearing it mid-scan would let deliveries re-hold
                // their next occurrences ahead of rows this scan has not reached yet.
                if (truncatedAt is not null)
                {
                    _windowEnd = truncatedAt;
                    _continueAfter = _scanPosition;
                    HoldPassed(e => Compare(e, truncatedAt) < 0);
                }
                else if (page.Count < _options.ReminderPageSize)
                {
                    _windowEnd = null;
                    _continueAfter = null;
                    HoldPassed(_ => true);
                    if (continued)
                    {
                        // Rows other silos wrote behind the continuation point are found by one scan from the start.
                        _fromStart = true;
                        Interlocked.Exchange(ref _refillRequested, 1);
                    }
                }
                else if (_window.Count >= _options.ReminderWindowCapacity)
                {
                    // Full after a whole page: the next row would only be read to be left out. It becomes the bound by key
                    // order (anything after this page waits), and the next refill continues right after the page.
                    _windowEnd = page[^1];
                    _continueAfter = page[^1];
                    HoldPassed(e => Compare(e, page[^1]) <= 0);
                }
                else
                {
                    HoldPassed(e => Compare(e, page[^1]) <= 0);
                    readOn = true;
                }
            }

            if (readOn)
            {
                // Issued after the page was taken in: it sees every row moved before, so only the entries decided while it
                // runs wait for it (_aheadOfScan).
                reading = ReadDuePageAsync(horizon, ranges, page[^1], cancellationToken);
            }

            // Rows already overdue (a burst beyond capacity, a catch-up) start now, while the next page is read.
            DeliverDue();
        }

        return (pages, rows, held);
    }

    /// <summary>
    /// Holds the waiting entries the page passed (or, at the scan's end, all it left). The others will be read by the next
    /// query, issued after they were moved, or sit at or after a new bound. Under the lock.
    /// </summary>
    private void HoldPassed(Func<ReminderEntry, bool> passed)
    {
        foreach (var (key, entry) in _aheadOfScan)
        {
            if (passed(entry) && !_window.ContainsKey(key))
            {
                Hold(entry);
            }
        }

        _aheadOfScan.Clear();
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
                _advancePending.Remove(key);
            }
        }

        TriggerRefill(fromStart: true);
    }

    /// <summary>
    /// Due within the look-ahead and, when the table holds more than fits, before the first row left out or already passed
    /// by the running scan. An entry the running scan may still read waits for it. Under the lock.
    /// </summary>
    private bool FitsWindow(ReminderEntry entry)
    {
        if (entry.NextDue > Clock.GetUtcNow() + _options.ReminderLookAhead)
        {
            return false;
        }

        if (_windowEnd is not { } end
            || Compare(entry, end) < 0
            || (_continueAfter is { } continueAfter && Compare(entry, continueAfter) <= 0)
            || (_scanPosition is { } position && Compare(entry, position) <= 0))
        {
            return true;
        }

        if (_scanning)
        {
            _aheadOfScan[KeyOf(entry)] = entry;
        }

        return false;
    }

    /// <summary>The table's order: (NextDue, GrainType, GrainKey, Name), text by code point (PostgreSQL's "C" collation, SQLite's BINARY).</summary>
    internal static int Compare(ReminderEntry x, ReminderEntry y)
    {
        var order = x.NextDue.UtcTicks.CompareTo(y.NextDue.UtcTicks);
        if (order == 0)
        {
            order = CompareCodePoints(x.GrainType, y.GrainType);
        }

        if (order == 0)
        {
            order = CompareCodePoints(x.GrainKey, y.GrainKey);
        }

        return order == 0 ? CompareCodePoints(x.Name, y.Name) : order;
    }

    /// <summary>UTF-8 byte order (= code point order), which differs from UTF-16 ordinal for surrogates against U+E000-U+FFFF.</summary>
    private static int CompareCodePoints(string x, string y)
    {
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return Fixup(x[i]) - Fixup(y[i]);
            }
        }

        return x.Length - y.Length;

        // Surrogates sort above every other UTF-16 code unit in code point order.
        static int Fixup(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
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
        List<(ReminderEntry Entry, DateTimeOffset? AdvanceTo)>? due = null;
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
                    _advancePending.Remove(KeyOf(entry));
                    _due.Dequeue();
                    continue;
                }

                if (ticks > now.UtcTicks)
                {
                    _dueTimer!.Change(TimeSpan.FromTicks(ticks - now.UtcTicks), Timeout.InfiniteTimeSpan);
                    break;
                }

                _due.Dequeue();
                (due ??= []).Add((entry, _advancePending.Remove(KeyOf(entry), out var next) ? next : (DateTimeOffset?)null));
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

        foreach (var (entry, advanceTo) in due)
        {
            _silo.BackgroundWork.Enter();
            _ = advanceTo is { } next ? AdvanceAndReleaseAsync(entry, next) : DeliverAsync(entry);
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
                RetryLater(entry, advanceTo: null);
                return;
            }
            catch (Exception exception)
            {
                // The handler ran and threw: like Orleans, the occurrence counts as delivered.
                _logger.LogWarning(exception, "Reminder {Reminder} of {GrainType}/{GrainKey} failed at {ScheduledTime}", entry.Name, entry.GrainType, entry.GrainKey, entry.NextDue);
            }

            await CompleteAsync(entry, entry.NextDue + (entry.Period * occurrences));
        }
        finally
        {
            _silo.BackgroundWork.Exit();
        }
    }

    private async Task AdvanceAndReleaseAsync(ReminderEntry entry, DateTimeOffset next)
    {
        try
        {
            await CompleteAsync(entry, next);
        }
        finally
        {
            _silo.BackgroundWork.Exit();
        }
    }

    /// <summary>After a delivery: moves the row to its next occurrence and frees the entry's slot (or holds the next occurrence).</summary>
    private async Task CompleteAsync(ReminderEntry entry, DateTimeOffset next)
    {
        bool advanced;
        try
        {
            advanced = entry.Etag is not null && await Table.AdvanceAsync(entry, next, entry.Etag);
        }
        catch (Exception exception)
        {
            // The row still names the delivered occurrence, possibly behind the point refills continue from: keep the slot
            // and try the advance again rather than wait for a scan from the start (which would deliver it twice).
            _logger.LogWarning(exception, "Advancing reminder {Reminder} of {GrainType}/{GrainKey} failed; retrying", entry.Name, entry.GrainType, entry.GrainKey);
            RetryLater(entry, next);
            return;
        }

        ReminderEntry? current = null;
        if (!advanced)
        {
            // Re-registered or removed by someone else (another silo, a grain elsewhere): its row may now sit anywhere,
            // also behind the continuation point, so read it rather than wait for a scan to pass it.
            try
            {
                current = (await Table.ReadForGrainAsync(entry.GrainType, entry.GrainKey)).FirstOrDefault(e => e.Name == entry.Name);
            }
            catch (Exception exception)
            {
                _logger.LogWarning(exception, "Reading back reminder {Reminder} of {GrainType}/{GrainKey} failed; the next scan reads from the start", entry.Name, entry.GrainType, entry.GrainKey);
                lock (_lock)
                {
                    _fromStart = true;
                }
            }
        }

        var refill = false;
        lock (_lock)
        {
            var key = KeyOf(entry);
            if (!_running || !_window.TryGetValue(key, out var held) || !ReferenceEquals(held, entry))
            {
                // Re-registered or removed during the tick: the newer definition is already in charge.
                return;
            }

            _window.Remove(key);
            if (_scanning)
            {
                _deliveredDuringScan[key] = entry.NextDue;
            }

            if (advanced)
            {
                current = entry with { NextDue = next };
            }

            if (current is not null && Owns(current.Hash) && FitsWindow(current))
            {
                Hold(current);
            }

            // Once a page fits, the next scan continues where the last one stopped; a running scan fills the slots itself (and
            // looks again when it ends).
            refill = !_scanning && _windowEnd is not null && HasRoomForAPage();
        }

        if (refill)
        {
            TriggerRefill();
        }

        DeliverDue();
    }

    /// <summary>A capacity refill is worth a read once a whole page fits. Under the lock.</summary>
    private bool HasRoomForAPage() => _window.Count <= Math.Max(0, _options.ReminderWindowCapacity - _options.ReminderPageSize);

    /// <summary>Keeps the entry's slot and puts it back on the clock after the retry delay (the tick, or only its advance).</summary>
    private void RetryLater(ReminderEntry entry, DateTimeOffset? advanceTo)
    {
        lock (_lock)
        {
            if (_running && _window.TryGetValue(KeyOf(entry), out var current) && ReferenceEquals(current, entry))
            {
                if (advanceTo is { } next)
                {
                    _advancePending[KeyOf(entry)] = next;
                }

                _due.Enqueue(entry, (Clock.GetUtcNow() + _options.ReminderRetryDelay).UtcTicks);
            }
        }

        DeliverDue();
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
