using ArActors.Runtime.Reminders;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Tests.Reminders;

/// <summary>
/// Ten times the window capacity due at one instant (the escalation day's midnight in small): refills continue after the
/// window instead of re-reading it, and the three cases a continuation could miss (rows that tie with the bound, rows
/// whose advance failed, rows another silo writes behind the continuation point) are each delivered.
/// </summary>
public abstract class ReminderBurstTests
{
    private const int Count = 1_000;
    private const int Capacity = 100;
    private const int PageSize = 30;
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>A store of its own (an empty reminder table) on every call: the tests count reads and rows.</summary>
    protected abstract IDurableStore CreateStore();

    private async Task<(TestCluster Cluster, ObservedReminderStore Store)> StartAsync(
        Action<SiloOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        ObservedReminderStore? store = null;
        var cluster = await Clusters.StartAsync(o =>
        {
            o.StoreFactory = () => store = new ObservedReminderStore(CreateStore());
            o.ConfigureServices = services;
            o.ConfigureSilo += s =>
            {
                s.ReminderLookAhead = TimeSpan.FromMinutes(5);
                s.ReminderPageSize = PageSize;
                s.ReminderWindowCapacity = Capacity;
                // Only the burst's own refills read the table: no periodic scan from the start comes to the rescue.
                s.ReminderRefreshInterval = TimeSpan.FromHours(6);
                configure?.Invoke(s);
            };
        });
        return (cluster, store!);
    }

    /// <summary>Registers <see cref="Count"/> reminders due at <paramref name="due"/> through the table, then restarts the silo so its start-up scan reads them.</summary>
    private static async Task<(string Prefix, string GrainType)> RegisterBurstAsync(TestCluster cluster, DateTimeOffset due, TimeSpan period)
    {
        var prefix = Clusters.NewKey("burst");
        var grainType = cluster.Silo.GetGrainId<IPagedReminderGrain>(prefix).Type;
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i =>
        {
            var key = $"{prefix}-{i:D4}";
            return cluster.Store.UpsertAsync(new ReminderEntry(grainType, key, "midnight", GrainHash.OfGrainKey(key), due, period, due));
        }));
        await cluster.RestartSiloAsync();
        return (prefix, grainType);
    }

    [Fact]
    public async Task Ten_times_the_window_capacity_due_at_one_instant_all_tick_once_and_each_refill_reads_on_after_the_window()
    {
        var (cluster, store) = await StartAsync();
        await using var _ = cluster;
        var due = cluster.Clock.GetUtcNow().AddMinutes(1);
        var (prefix, grainType) = await RegisterBurstAsync(cluster, due, Day);
        var readsBefore = store.Cursors.Count;

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(2));

        var ticks = PagedReminderGrain.TicksOf(prefix);
        Assert.Equal(Count, ticks.Count);
        Assert.All(ticks, t => Assert.Equal((due, 1), (t.Key.Scheduled, t.Value)));
        Assert.InRange(cluster.Silo.PeakRemindersInMemory, 1, Capacity);
        var rows = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => cluster.Store.ReadForGrainAsync(grainType, $"{prefix}-{i:D4}")));
        Assert.All(rows, r => Assert.Equal(due + Day, Assert.Single(r).NextDue));
        // Every refill continued after the last row the one before passed: between two scans from the start, each read's
        // cursor lies strictly after the previous one's, so no row before the window is read again.
        var cursors = store.Cursors.Skip(readsBefore).ToList();
        Assert.True(cursors.Count >= (Count - Capacity) / PageSize, $"{cursors.Count} reads");
        for (var i = 1; i < cursors.Count; i++)
        {
            if (cursors[i] is { } cursor && cursors[i - 1] is { } previous)
            {
                Assert.True(ReminderService.Compare(previous, cursor) < 0, $"read {i} went back from {previous.GrainKey} to {cursor.GrainKey}");
            }
        }

        // A scan from the start ends the chain of continuations (for rows other silos wrote behind it). It may stop at a
        // full window of deliveries still advancing and start one more chain, so one or two; re-reading from the start
        // did so once per refill (6 - 18 times here).
        Assert.InRange(cursors.Count(c => c is null), 1, 2);
    }

    [Fact]
    public async Task A_scan_whose_deliveries_all_complete_before_it_ends_reads_on_rather_than_leave_the_rest_waiting()
    {
        // A continuing scan fills the window and starts its deliveries; its thread is then held (as a descheduled one is)
        // until every one of them has completed, each leaving the refill to the running scan. Before the fix the window
        // stood empty with 800 rows due and waiting, until the next periodic scan (here six hours; by default 2.5 min).
        TestCluster? started = null;
        var paused = 0;
        var (cluster, _) = await StartAsync(services: s => s.AddLogging(b => b
            .AddFilter<ScanEndHook>(null, LogLevel.Debug)
            .AddProvider(new ScanEndHook(() =>
            {
                if (started is not { } c || c.Silo.RemindersInMemory == 0 || Interlocked.Exchange(ref paused, 1) == 1)
                {
                    return;
                }

                SpinWait.SpinUntil(() => c.Silo.RemindersInMemory == 0, TimeSpan.FromSeconds(10));
            }))));
        await using var __ = cluster;
        var due = cluster.Clock.GetUtcNow().AddMinutes(1);
        var (prefix, _) = await RegisterBurstAsync(cluster, due, Day);
        started = cluster;

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(1, Volatile.Read(ref paused));
        var ticks = PagedReminderGrain.TicksOf(prefix);
        Assert.Equal(Count, ticks.Count);
        Assert.All(ticks, t => Assert.Equal((due, 1), (t.Key.Scheduled, t.Value)));
    }

    /// <summary>Runs <paramref name="atScanEnd"/> on the scanning thread when a continuing scan logs that it has ended (<see cref="ReminderService.ScanEnded"/>).</summary>
    private sealed class ScanEndHook(Action atScanEnd) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId == ReminderService.ScanEnded
                && state is IReadOnlyList<KeyValuePair<string, object?>> values
                && values.Any(v => v is { Key: "Kind", Value: "continued" }))
            {
                atScanEnd();
            }
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Reminders_that_tie_with_the_bound_and_next_occurrences_that_tie_with_each_other_each_tick_once_per_minute()
    {
        // Every row ties on the instant, so the bound is decided by key; a period of a minute brings the delivered ones back
        // inside the look-ahead, all tied again, while the rest of the first minute still waits in the table.
        var (cluster, _) = await StartAsync();
        await using var __ = cluster;
        var first = cluster.Clock.GetUtcNow().AddMinutes(1);
        var (prefix, _) = await RegisterBurstAsync(cluster, first, TimeSpan.FromMinutes(1));

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(3));

        PagedReminderGrain.AssertEachMinuteTickedOnce(prefix, first, 3, Count);
        Assert.InRange(cluster.Silo.PeakRemindersInMemory, 1, Capacity);
    }

    [Fact]
    public async Task A_row_another_silo_writes_behind_the_continuation_point_during_a_burst_is_delivered_without_waiting_for_the_periodic_scan()
    {
        var (cluster, store) = await StartAsync();
        await using var _ = cluster;
        var due = cluster.Clock.GetUtcNow().AddMinutes(1);
        var (prefix, grainType) = await RegisterBurstAsync(cluster, due, Day);
        // Same instant, a key before every burst row: behind wherever the first continuing refill starts.
        var late = $"{prefix}-!late";
        store.BeforeRead(
            after => after is not null && cluster.Clock.GetUtcNow() >= due,
            () => store.Inner.UpsertAsync(new ReminderEntry(grainType, late, "midnight", GrainHash.OfGrainKey(late), due, Day, due)));

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(2));

        Assert.Single(await store.Inner.ReadForGrainAsync(grainType, late));
        Assert.Equal(1, PagedReminderGrain.Ticks.GetValueOrDefault((late, "midnight", due)));
        Assert.Equal(Count + 1, PagedReminderGrain.TicksOf(prefix).Count);
        Assert.Equal(due + Day, Assert.Single(await store.Inner.ReadForGrainAsync(grainType, late)).NextDue);
    }

    [Fact]
    public async Task A_delivered_reminder_whose_advance_failed_keeps_its_slot_and_only_the_advance_is_retried()
    {
        var (cluster, store) = await StartAsync(s => s.ReminderRetryDelay = TimeSpan.FromSeconds(20));
        await using var _ = cluster;
        var due = cluster.Clock.GetUtcNow().AddMinutes(1);
        var (prefix, grainType) = await RegisterBurstAsync(cluster, due, Day);
        // The first row in table order: every refill of the burst continues after it.
        var first = $"{prefix}-0000";
        store.FailAdvances(grainType, first, "midnight", times: 2);

        await cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(1, PagedReminderGrain.Ticks.GetValueOrDefault((first, "midnight", due)));
        Assert.Equal(3, store.AdvanceAttempts(grainType, first, "midnight"));
        Assert.Equal(due + Day, Assert.Single(await store.Inner.ReadForGrainAsync(grainType, first)).NextDue);
        var ticks = PagedReminderGrain.TicksOf(prefix);
        Assert.Equal(Count, ticks.Count);
        Assert.All(ticks, t => Assert.Equal(1, t.Value));
        Assert.Equal(0, cluster.Silo.RemindersInMemory);
    }
}

public sealed class InMemoryReminderBurstTests : ReminderBurstTests
{
    protected override IDurableStore CreateStore() => new InMemoryStore();
}

public sealed class SqliteReminderBurstTests : ReminderBurstTests, IDisposable
{
    private readonly SqliteFolder _folder = new("aractors-burst-");

    protected override IDurableStore CreateStore() => _folder.OpenStore($"{Guid.NewGuid():N}.db");

    public void Dispose() => _folder.Dispose();
}

public sealed class PostgresReminderBurstTests(PostgresDatabase database) : ReminderBurstTests, IClassFixture<PostgresDatabase>
{
    protected override IDurableStore CreateStore() =>
        new PostgresStore(
            database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance,
            new PostgresStoreOptions { Schema = "burst_" + Guid.NewGuid().ToString("N")[..12] });
}

/// <summary>
/// The service compares reminders with a bound or a cursor in memory; it must order them as the durable tables do
/// (PostgreSQL's "C" collation and SQLite's BINARY: UTF-8 bytes, that is code points), or a row could be taken for
/// one before the bound and wait behind the continuation point.
/// </summary>
public abstract class ReminderKeyOrderTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    protected abstract IDurableStore CreateStore();

    [Fact]
    public async Task The_service_orders_reminders_as_the_table_does_so_a_bound_compares_like_a_keyset_cursor()
    {
        await using var store = CreateStore();
        await store.InitializeAsync();
        var due = DateTimeOffset.UnixEpoch.AddYears(56);
        var prefix = Clusters.NewKey("order");
        // ASCII, a private-use character (U+E000) and an astral one (a surrogate pair in UTF-16): UTF-16 ordinal order puts
        // the astral one first, the table (byte / code point order) last.
        string[] suffixes = ["A", "a", "\uE000", "\U0001F600", "aa", "Z"];
        foreach (var suffix in suffixes)
        {
            var key = prefix + suffix;
            await store.UpsertAsync(new ReminderEntry("order-grain", key, "r", GrainHash.OfGrainKey(key), due, Day, due));
            await store.UpsertAsync(new ReminderEntry("order-grain", key, "r", GrainHash.OfGrainKey(key), due.AddSeconds(-1), Day, due.AddSeconds(-1)) with { Name = "q" });
        }

        var table = (await store.ReadDueAsync(due, HashRange.Full, 100)).Where(e => e.GrainKey.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var sorted = table.ToList();
        sorted.Sort(ReminderService.Compare);

        Assert.Equal(2 * suffixes.Length, table.Count);
        Assert.Equal(table.Select(e => (e.NextDue, e.GrainKey, e.Name)), sorted.Select(e => (e.NextDue, e.GrainKey, e.Name)));
        Assert.EndsWith("\U0001F600", table[5].GrainKey, StringComparison.Ordinal);
    }
}

public sealed class SqliteReminderKeyOrderTests : ReminderKeyOrderTests, IDisposable
{
    private readonly SqliteFolder _folder = new("aractors-order-");

    protected override IDurableStore CreateStore() => _folder.OpenStore();

    public void Dispose() => _folder.Dispose();
}

public sealed class PostgresReminderKeyOrderTests(PostgresDatabase database) : ReminderKeyOrderTests, IClassFixture<PostgresDatabase>
{
    protected override IDurableStore CreateStore() =>
        new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance);
}
