using System.Diagnostics;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;
using static ArActors.Bench.Reminders.ReminderBenchSupport;

namespace ArActors.Bench.Reminders;

/// <summary>
/// Issue 3 / issue 10 item 4. (1) Silo start-up over 1,000,000 registered reminders: the time of
/// <see cref="Silo.StartAsync"/> (store schema check, then the first refill: keyset pages of the due window into memory
/// and onto the clock), next to a raw keyset-paged read of the same rows and a raw count, with the silo's memory next
/// to an empty silo's. (2) Tick lateness under load, next to plain timers set for the same instants in the same run.
/// </summary>
public sealed class RemindersBenchmark : IBenchmark
{
    public string Name => "reminders";

    public string Description => "silo start-up over 1M reminders vs raw keyset read; tick lateness p50/p99 under load vs plain timers";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var results = new List<BenchResult>();
        var count = Math.Max(10_000, (int)(1_000_000 * context.Scale));
        var bigBurst = Environment.GetEnvironmentVariable("ARACTORS_BENCH_BIG_BURST");
        if (bigBurst == "only")
        {
            // The burst shape alone (no 1M bulk load, no SQLite part): the quick loop while working on the refill.
            return context.PostgresConnectionString is { Length: > 0 } burstOnly
                ? await LatenessAsync(new PostgresReminderTable(burstOnly), 100_000, TimeSpan.Zero)
                : throw new InvalidOperationException("ARACTORS_BENCH_BIG_BURST=only needs ARACTORS_BENCH_PG.");
        }

        if (context.PostgresConnectionString is { Length: > 0 } postgres)
        {
            await using (var table = new PostgresReminderTable(postgres))
            {
                results.AddRange(await StartupAsync(table, count));
            }

            var ticks = Math.Max(1000, (int)(10_000 * context.Scale));
            results.AddRange(await LatenessAsync(new PostgresReminderTable(postgres), ticks, TimeSpan.FromSeconds(20)));
            // Collections reality: aging boundaries fall at midnight, so many reminders share one instant.
            results.AddRange(await LatenessAsync(new PostgresReminderTable(postgres), ticks, TimeSpan.Zero));
            // Opt-in (about a minute and 200k writes): twice the window capacity due at once.
            if (bigBurst == "1")
            {
                results.AddRange(await LatenessAsync(new PostgresReminderTable(postgres), 100_000, TimeSpan.Zero));
            }
        }
        else
        {
            Console.WriteLine("   ARACTORS_BENCH_PG is not set: skipping PostgreSQL.");
        }

        await using (var table = new SqliteReminderTable())
        {
            results.AddRange(await StartupAsync(table, count));
        }

        results.AddRange(await LatenessAsync(new SqliteReminderTable(), Math.Max(1000, (int)(10_000 * context.Scale)), TimeSpan.FromSeconds(20)));

        return results;
    }

    private async Task<IReadOnlyList<BenchResult>> StartupAsync(IReminderTableFixture table, int count)
    {
        var p = table.Provider;
        var defaults = new SiloOptions();
        var rows = new ReminderRows(count, defaults.ReminderLookAhead);

        // The empty silo first: same options, same clock, a table with no rows. The first silo of the process pays for
        // JIT and the first connections, so one untimed start comes before it.
        var (coldMs, _, _) = await StartSiloAsync(table);
        var (emptyMs, emptyHeld, emptyMemory) = await StartSiloAsync(table);
        Console.WriteLine($"   {p}: first (cold) silo start in this process {F(coldMs)} ms, not counted");
        Console.WriteLine($"   {p}: empty silo started in {F(emptyMs)} ms ({emptyHeld} held); GC heap {F(emptyMemory.HeapMiB)} MiB, working set {F(emptyMemory.WorkingSetMiB)} MiB");

        var loading = Stopwatch.StartNew();
        await table.BulkLoadAsync(rows);
        Console.WriteLine($"   {p}: bulk-loaded {count:N0} reminders ({rows.InWindow:N0} due in the first {defaults.ReminderLookAhead.TotalMinutes:N0} min) in {F(loading.Elapsed.TotalSeconds)} s");

        // The silo holds at most the window capacity; it reads pages until full, then one more page tells it there are more.
        var rawLimit = Math.Min(rows.InWindow, defaults.ReminderWindowCapacity + defaults.ReminderPageSize);
        var warm = await TimeAsync(() => table.RawReadWindowAsync(rows.Horizon, defaults.ReminderPageSize, rawLimit));
        var (siloMs, held, memory) = await StartSiloAsync(table);
        var (rawMs, rawRows) = await TimeAsync(() => table.RawReadWindowAsync(rows.Horizon, defaults.ReminderPageSize, rawLimit));
        var (countMs, rawCount) = await TimeAsync(table.RawCountAsync);
        Console.WriteLine($"   {p}: silo started over {rawCount:N0} reminders in {F(siloMs)} ms holding {held:N0}; raw keyset read of {rawRows:N0} due rows {F(rawMs)} ms (first run {F(warm.Ms)} ms); raw count(*) {F(countMs)} ms");
        Console.WriteLine($"   {p}: after start-up GC heap {F(memory.HeapMiB)} MiB (empty silo {F(emptyMemory.HeapMiB)}), working set {F(memory.WorkingSetMiB)} MiB (empty silo {F(emptyMemory.WorkingSetMiB)})");
        if (rawCount != count || held != Math.Min(rows.InWindow, defaults.ReminderWindowCapacity))
        {
            throw new InvalidOperationException($"{p}: expected {count} rows and {Math.Min(rows.InWindow, defaults.ReminderWindowCapacity)} held, found {rawCount} rows and {held} held.");
        }

        // A silo of a four-silo cluster owns a quarter of the hash ring: its pages skip the other silos' rows.
        var quarter = new HashRange(0, uint.MaxValue / 4);
        var (quarterMs, quarterHeld, _) = await StartSiloAsync(table, o => o.ReminderHashRange = quarter);
        var quarterExpected = Math.Min(defaults.ReminderWindowCapacity, rows.Generate().Take(rows.InWindow).Count(r => quarter.Contains(r.Hash)));
        Console.WriteLine($"   {p}: silo owning a quarter of the hash ring started in {F(quarterMs)} ms holding {quarterHeld:N0} (expected {quarterExpected:N0})");
        if (quarterHeld != quarterExpected)
        {
            throw new InvalidOperationException($"{p}: the quarter-ring silo held {quarterHeld}, expected {quarterExpected}.");
        }

        return
        [
            new BenchResult(Name, $"{p} start-up, {count / 1000:N0}k rows", siloMs, "ms", $"raw keyset read {rawRows / 1000:N0}k due rows", rawMs),
            new BenchResult(Name, $"{p} start-up, quarter of the ring", quarterMs, "ms", $"raw keyset read {rawRows / 1000:N0}k due rows", rawMs),
            new BenchResult(Name, $"{p} start-up, empty table", emptyMs, "ms"),
            new BenchResult(Name, $"{p} raw count(*)", countMs, "ms"),
            new BenchResult(Name, $"{p} reminders held after start", held, "rows", "rows in table", rawCount),
            new BenchResult(Name, $"{p} GC heap after start-up", memory.HeapMiB, "MiB", "empty silo", emptyMemory.HeapMiB),
            new BenchResult(Name, $"{p} working set after start-up", memory.WorkingSetMiB, "MiB", "empty silo", emptyMemory.WorkingSetMiB),
            new BenchResult(Name, $"{p} bulk load (not the runtime)", loading.Elapsed.TotalSeconds, "s"),
        ];
    }

    /// <summary>
    /// Times Silo.StartAsync on a fresh store over the table. The clock is frozen at <see cref="ReminderRows.Start"/>: the
    /// window is exactly the generated one and no tick fires while start-up is timed. Returns after stopping the silo.
    /// </summary>
    private static async Task<(double Ms, int Held, (double HeapMiB, double WorkingSetMiB) Memory)> StartSiloAsync(
        IReminderTableFixture table, Action<SiloOptions>? configure = null)
    {
        var clock = new ManualTimeProvider(ReminderRows.Start);
        await using var store = table.CreateStore(clock);
        await using var services = BuildSilo(store, clock, configure);
        var silo = services.GetRequiredService<Silo>();
        var started = Stopwatch.StartNew();
        await silo.StartAsync();
        var ms = started.Elapsed.TotalMilliseconds;
        var held = silo.RemindersInMemory;
        var memory = Memory();
        await silo.StopAsync();
        return (ms, held, memory);
    }

    private static async Task<(double Ms, T Value)> TimeAsync<T>(Func<Task<T>> action)
    {
        var started = Stopwatch.StartNew();
        var value = await action();
        return (started.Elapsed.TotalMilliseconds, value);
    }

    /// <summary>
    /// <paramref name="count"/> reminders (period 1 minute, the production minimum) first due spread evenly over
    /// <paramref name="spread"/> (zero: all at one instant) on the real clock, registered in the runtime's table before the
    /// silo starts; meanwhile callers keep the silo busy with durable grain writes to the same store. Baseline: one
    /// System.Threading timer per reminder, due at the same instants, in the same process.
    /// </summary>
    private async Task<IReadOnlyList<BenchResult>> LatenessAsync(IReminderTableFixture table, int count, TimeSpan spread)
    {
        const int Callers = 32;
        var shape = spread == TimeSpan.Zero ? $"{count / 1000:N0}k at one instant" : $"{count / 1000:N0}k over {spread.TotalSeconds:N0} s";
        // Time to register them and start the silo before the first falls due.
        var lead = TimeSpan.FromSeconds(10 + (count / 10_000));
        await using var _ = table;
        var p = table.Provider;
        var log = new TickLog();
        await using var inner = table.CreateStore(TimeProvider.System);
        // A burst beyond the window: its reads and advances are timed, to say which phase the tail waits for.
        await using var batcher = Environment.GetEnvironmentVariable("ARACTORS_BENCH_BATCH_ADVANCE") == "1" && table is PostgresReminderTable batchTable
            ? new AdvanceBatcher(batchTable.AdvanceBatchAsync, loops: 3, maxBatch: 1000)
            : null;
        var phases = spread == TimeSpan.Zero && count >= 50_000 ? new PhaseTimedStore(inner, batcher) : null;
        IDurableStore store = phases ?? inner;
        await store.InitializeAsync();

        var first = TimeProvider.System.GetUtcNow() + lead;
        var scheduled = Enumerable.Range(0, count).Select(i => first + (spread * i / count)).ToArray();
        var keys = Enumerable.Range(0, count).Select(i => $"tick-{i:D6}").ToArray();
        // Registered the way the runtime stores them (UpsertAsync), hashed by grain key.
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => store.UpsertAsync(
            new ReminderEntry(TickGrainType, keys[i], "tick", GrainHash.OfGrainKey(keys[i]), scheduled[i], TimeSpan.FromMinutes(1), scheduled[i]))));

        await using var services = BuildSilo(store, TimeProvider.System, log: log);
        var silo = services.GetRequiredService<Silo>();
        await silo.StartAsync();
        var stored = await store.ReadDueAsync(scheduled[^1], HashRange.Full, count + 1);
        // The stored instants (microseconds) are the ones the timers aim at too.
        var storedDue = stored.ToDictionary(e => e.GrainKey, e => e.NextDue, StringComparer.Ordinal);

        var timerLateness = new double[count];
        var timersFired = 0;
        var timers = new ITimer[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            var due = storedDue[keys[i]];
            var now = TimeProvider.System.GetUtcNow();
            timers[i] = TimeProvider.System.CreateTimer(_ =>
            {
                timerLateness[index] = (TimeProvider.System.GetUtcNow() - due).TotalMilliseconds;
                Interlocked.Increment(ref timersFired);
            }, null, due > now ? due - now : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        using var stopLoad = new CancellationTokenSource();
        long calls = 0;
        var loadStarted = Stopwatch.StartNew();
        var load = Task.WhenAll(Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            var grain = silo.GetGrain<ILoadGrain>($"load-{c}");
            while (!stopLoad.IsCancellationRequested)
            {
                await grain.Add(1);
                Interlocked.Increment(ref calls);
            }
        })));

        var deadline = scheduled[^1] + TimeSpan.FromSeconds(120);
        while ((log.Distinct < count || Volatile.Read(ref timersFired) < count) && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(100);
        }

        // A burst beyond the window capacity waits for row advances to free slots: when was the last row advanced, and how
        // long does one set-based statement take to advance the same rows, under the same load?
        (double AdvancedAfterMs, double RawMs, int RawRows)? advances = null;
        if (table is PostgresReminderTable postgres && spread == TimeSpan.Zero && count >= 50_000)
        {
            var instant = storedDue[keys[0]];
            while (await postgres.RawNotAdvancedAsync(instant) > 0 && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(50);
            }

            var advancedAfter = (TimeProvider.System.GetUtcNow() - instant).TotalMilliseconds;
            var (rawMs, rawRows) = await postgres.RawAdvanceAllAsync();
            advances = (advancedAfter, rawMs, rawRows);
        }

        stopLoad.Cancel();
        await load;
        var callRate = Interlocked.Read(ref calls) / loadStarted.Elapsed.TotalSeconds;
        foreach (var timer in timers)
        {
            timer.Dispose();
        }

        await silo.StopAsync();
        var ticks = log.LatenessMs.Order().ToArray();
        var plain = timerLateness.Take(Volatile.Read(ref timersFired)).Order().ToArray();
        Console.WriteLine($"   {p} {shape}: {ticks.Length:N0}/{count:N0} reminders ticked ({log.Deliveries:N0} deliveries), load {F(callRate, "N0")} durable grain calls/s from {Callers} callers");
        Console.WriteLine($"   tick lateness ms  min {F(ticks.FirstOrDefault())}  p50 {F(Quantile(ticks, 0.5))}  p99 {F(Quantile(ticks, 0.99))}  max {F(ticks.LastOrDefault())}");
        Console.WriteLine($"   tick lateness histogram: " + string.Join(", ", new[] { 10.0, 100, 1000, 5000, 10_000, 30_000, 50_000, 70_000 }.Select(limit => $"<={limit:N0} ms: {ticks.Count(t => t <= limit):N0}")));
        Console.WriteLine($"   tick lateness deciles ms: " + string.Join(", ", Enumerable.Range(1, 9).Select(d => F(Quantile(ticks, d / 10.0), "N0"))));
        Console.WriteLine($"   timer lateness ms min {F(plain.FirstOrDefault())}  p50 {F(Quantile(plain, 0.5))}  p99 {F(Quantile(plain, 0.99))}  max {F(plain.LastOrDefault())}");
        var advanceResults = new List<BenchResult>();
        phases?.Print(storedDue[keys[0]]);
        if (batcher is not null && phases is not null)
        {
            Console.WriteLine($"   batch experiment: advances written as {batcher.Batches:N0} set-based statements of up to 1,000 rows ({batcher.Rows:N0} rows) beside the store");
        }

        if (advances is { } a)
        {
            Console.WriteLine($"   every row advanced {F(a.AdvancedAfterMs, "N0")} ms after the instant; raw: one set-based UPDATE of the {a.RawRows:N0} rows by key and ETag {F(a.RawMs, "N0")} ms (same load)");
            advanceResults.Add(new BenchResult(Name, $"{p} all rows advanced after the instant, {shape}", a.AdvancedAfterMs, "ms", "one set-based UPDATE of the same rows", a.RawMs));
        }

        return
        [
            .. advanceResults,
            new BenchResult(Name, $"{p} tick lateness p50, {shape}", Quantile(ticks, 0.5), "ms", "System.Threading.Timer p50", Quantile(plain, 0.5)),
            new BenchResult(Name, $"{p} tick lateness p99, {shape}", Quantile(ticks, 0.99), "ms", "System.Threading.Timer p99", Quantile(plain, 0.99)),
            new BenchResult(Name, $"{p} tick lateness max, {shape}", ticks.LastOrDefault(), "ms", "System.Threading.Timer max", plain.LastOrDefault()),
            new BenchResult(Name, $"{p} reminders ticked, {shape}", ticks.Length, "ticks", "registered", count),
            new BenchResult(Name, $"{p} load during ticks, {shape}", callRate, "calls/s"),
        ];
    }
}
