using System.Diagnostics;
using ArActors.Bench.Reminders;
using ArActors.Runtime;
using ArActors.Runtime.Clustering;
using ArActors.Runtime.Storage;
using static ArActors.Bench.Reminders.ReminderBenchSupport;

namespace ArActors.Bench.Runtime;

/// <summary>
/// A cluster silo's reminder refill on PostgreSQL: one silo of three (128 virtual nodes each, so about 128 owned ranges)
/// reads its share of the due window from 1,000,000 reminder rows in keyset pages, once with one query per range per
/// page merged in memory (how it worked before) and once with one statement per page over all ranges. The raw baseline,
/// measured in the same run, is a plain keyset read of as many due rows with no hash filter.
/// </summary>
public sealed class ReminderRangesBenchmark : IBenchmark
{
    public string Name => "cluster-reminder-ranges";

    public string Description => "reminder refill of 1 silo of 3 (~128 ranges) over 1M rows: query per range vs one statement per page, vs raw keyset read";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        if (context.PostgresConnectionString is not { Length: > 0 } postgres)
        {
            Console.WriteLine("   ARACTORS_BENCH_PG is not set: skipping (the single-statement read is PostgreSQL's).");
            return [];
        }

        var count = Math.Max(10_000, (int)(1_000_000 * context.Scale));
        var defaults = new SiloOptions();
        var rows = new ReminderRows(count, defaults.ReminderLookAhead);
        await using var table = new PostgresReminderTable(postgres);
        await table.BulkLoadAsync(rows);
        await using var store = table.CreateStore(TimeProvider.System);
        await store.InitializeAsync(cancellationToken);

        var ring = ConsistentHashRing.Create([new("http://10.0.0.1:5080", 1), new("http://10.0.0.2:5080", 1), new("http://10.0.0.3:5080", 1)]);
        var ranges = ring.RangesOf(ring.Silos[1]);
        Console.WriteLine($"   {count:N0} rows, {rows.InWindow:N0} due in the {defaults.ReminderLookAhead.TotalMinutes:N0} min window; silo 2 of 3 owns {ranges.Count} ranges ({ring.ShareOf(ring.Silos[1]):P1})");

        Task<IReadOnlyList<ReminderEntry>> PerRange(ReminderEntry? after) =>
            ReminderRangeReads.PerRangeAsync(store, rows.Horizon, ranges, defaults.ReminderPageSize, after, cancellationToken);
        Task<IReadOnlyList<ReminderEntry>> OneStatement(ReminderEntry? after) =>
            store.ReadDueInRangesAsync(rows.Horizon, ranges, defaults.ReminderPageSize, after, cancellationToken);

        // Warm both paths (plans, connections), then time: the one-statement refill, the per-range refill, the raw read.
        // The per-range path is timed over its first pages only (ARACTORS_BENCH_RANGE_PAGES, default 3): at 1M rows a
        // whole refill that way takes minutes. Both paths are timed over the same first pages.
        var pagesCompared = int.TryParse(Environment.GetEnvironmentVariable("ARACTORS_BENCH_RANGE_PAGES"), out var p) ? p : 3;
        await RefillAsync(OneStatement, int.MaxValue);
        await RefillAsync(PerRange, 1);
        var (oneMs, oneRows, onePages) = await RefillAsync(OneStatement, int.MaxValue);
        var (oneFirstMs, oneFirstRows, oneFirstPages) = await RefillAsync(OneStatement, pagesCompared);
        var (perMs, perRows, perPages) = await RefillAsync(PerRange, pagesCompared);
        var started = Stopwatch.StartNew();
        var rawRows = await table.RawReadWindowAsync(rows.Horizon, Math.Min(defaults.ReminderPageSize, oneRows), oneRows);
        var rawMs = started.Elapsed.TotalMilliseconds;
        if (perRows != oneFirstRows)
        {
            throw new InvalidOperationException($"The two reads disagree: {perRows} rows per range, {oneFirstRows} in one statement.");
        }

        Console.WriteLine($"   one statement per page: whole share {oneRows:N0} rows in {onePages} pages, {F(oneMs)} ms; first {oneFirstPages} pages ({oneFirstRows:N0} rows) {F(oneFirstMs)} ms = {F(oneFirstMs / oneFirstPages)} ms/page, 1 statement/page");
        Console.WriteLine($"   one query per range:    first {perPages} pages ({perRows:N0} rows) {F(perMs)} ms = {F(perMs / perPages)} ms/page, {ranges.Count} statements/page");
        Console.WriteLine($"   raw keyset read of {rawRows:N0} due rows, no hash filter: {F(rawMs)} ms");
        return
        [
            new("cluster-reminder-ranges", "whole share, one statement/page", oneMs, "ms", "raw keyset read, same row count", rawMs),
            new("cluster-reminder-ranges", "ms/page, one statement", oneFirstMs / oneFirstPages, "ms", "ms/page, one query per range", perMs / perPages),
        ];
    }

    private static async Task<(double Ms, int Rows, int Pages)> RefillAsync(Func<ReminderEntry?, Task<IReadOnlyList<ReminderEntry>>> readPage, int maxPages)
    {
        var started = Stopwatch.StartNew();
        var read = 0;
        var pages = 0;
        ReminderEntry? after = null;
        while (pages < maxPages)
        {
            var page = await readPage(after);
            pages++;
            read += page.Count;
            if (page.Count < new SiloOptions().ReminderPageSize)
            {
                break;
            }

            after = page[^1];
        }

        return (started.Elapsed.TotalMilliseconds, read, pages);
    }
}
