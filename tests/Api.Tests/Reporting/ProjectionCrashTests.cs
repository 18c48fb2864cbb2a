using System.Text.Json;
using ArActors.Api.Reporting;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains.Ledger;
using ArActors.Grains.Reporting;
using ArActors.Runtime.Storage;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace ArActors.Api.Tests.Reporting;

/// <summary>
/// The sharded projection on PostgreSQL: a projector that dies between writing a page's shard rows and moving the cursor,
/// restarted while the ledger goes on, ends with exactly the figures of a fresh full replay.
/// </summary>
public sealed class ProjectionCrashTests(LedgerApiHost host, ITestOutputHelper output) : IClassFixture<LedgerApiHost>
{
    private static readonly ExchangeRates Usd = new("USD", []);

    private IServiceProvider Services => host.Factory.Services;

    [Fact]
    public async Task A_crash_between_shard_rows_and_cursor_counts_nothing_twice_and_matches_a_full_replay()
    {
        var lines = File.ReadAllLines(SharedData.PathOf(SharedData.IbmReceivablesFile));
        var customers = lines.Skip(1).Select(l => l.Split(',')[1]).Distinct().Order(StringComparer.Ordinal).ToList();
        var first = customers.Take(12).ToHashSet(StringComparer.Ordinal);
        var second = customers.Skip(12).Take(12).ToHashSet(StringComparer.Ordinal);
        string Part(HashSet<string> who) => string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Where(l => who.Contains(l.Split(',')[1])))) + "\n";
        var rows = IbmCsvRow.ReadFile().Where(r => first.Contains(r.Customer) || second.Contains(r.Customer)).ToList();
        var store = Services.GetRequiredService<IDurableStore>();

        await IbmReportingHost.ImportAsync(host, Part(first));
        var crashing = new CrashingStore(store, "crash", failOnManifestWrite: 3);
        var dying = Projector(Services, crashing, "crash", pageSize: 25);
        await dying.StartAsync(CancellationToken.None);
        await crashing.Crashed.WaitAsync(TimeSpan.FromMinutes(1));
        await dying.StopAsync(CancellationToken.None);
        Assert.True(crashing.RowsWrittenSinceLastCommit > 0, "the crash must fall between shard rows and the manifest");
        var committed = await new ProjectionStorage(store, "crash").LoadAsync(CancellationToken.None);
        Assert.True(committed.Cursor > 0);
        Assert.Equal(dying.State.Cursor, committed.Cursor); // the page that died was never published nor committed

        // The ledger goes on while the projector is down; then it restarts from what the store says.
        await IbmReportingHost.ImportAsync(host, Part(second));
        var last = await store.GetLastSequenceAsync(LedgerTopics.Ledger);
        var restarted = Projector(Services, store, "crash", pageSize: 25);
        var fresh = Projector(Services, store, "fresh", pageSize: 1000);
        await restarted.StartAsync(CancellationToken.None);
        await fresh.StartAsync(CancellationToken.None);
        try
        {
            await restarted.WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(2));
            await fresh.WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(2));
            var resumed = restarted.State;
            var replayed = fresh.State;

            Assert.Equal(rows.Count, resumed.Invoices.Count);
            Assert.Equal(replayed.Invoices.OrderBy(p => p.Key, StringComparer.Ordinal), resumed.Invoices.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(replayed.Accounts.OrderBy(p => p.Key, StringComparer.Ordinal), resumed.Accounts.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal(replayed.Totals.Keys.Order(StringComparer.Ordinal), resumed.Totals.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(replayed.Directory.Keys, resumed.Directory.Keys);
            foreach (var (id, entry) in replayed.Directory)
            {
                var day = new DateOnly(2013, 6, 30);
                Assert.Equal(entry.Standing(day, Usd, AgingFigures.DefaultBuckets), resumed.Directory[id].Standing(day, Usd, AgingFigures.DefaultBuckets));
            }

            foreach (var month in new[] { 2012, 2013 }.SelectMany(y => Enumerable.Range(1, 12).Select(m => ReportingPeriod.Month(y, m))))
            {
                foreach (var dimension in ReportDimension.Groupable.Prepend(ReportDimension.All))
                {
                    Assert.Equal(Figures(replayed, dimension, month), Figures(resumed, dimension, month));
                }

                // Independent of both projections: open AR at the month-end from the file itself.
                var open = rows.Where(r => r.Issued <= month.End && r.Settled > month.End).Sum(r => r.Amount);
                Assert.Equal(open, ReportFigures.Aging(resumed, ReportDimension.All, month.End, Usd).Sum(a => a.Total));
            }

            output.WriteLine($"crash at cursor {committed.Cursor}; {crashing.RowsWrittenSinceLastCommit} orphan rows; {resumed.Invoices.Count} invoices, {resumed.Totals.Count} totals");
        }
        finally
        {
            await restarted.StopAsync(CancellationToken.None);
            await fresh.StopAsync(CancellationToken.None);
        }
    }

    internal static string Figures(ReportingState state, string dimension, ReportingPeriod month) => JsonSerializer.Serialize(new
    {
        aging = ReportFigures.Aging(state, dimension, month.End, Usd),
        dso = ReportFigures.Dso(state, dimension, month, Usd),
        cei = ReportFigures.Cei(state, dimension, month, Usd),
    });

    internal static ReportingProjector Projector(IServiceProvider services, IDurableStore store, string key, int pageSize) =>
        ActivatorUtilities.CreateInstance<ReportingProjector>(
            services, store, Options.Create(new ReportingOptions { StorageKey = key, PageSize = pageSize }));

    /// <summary>Passes everything through, but fails the Nth manifest write of one projection, as a process dying there would.</summary>
    private sealed class CrashingStore(IDurableStore inner, string key, int failOnManifestWrite) : DelegatingStore(inner, ownsInner: false)
    {
        private readonly TaskCompletionSource _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _manifestWrites;
        private int _rowsSinceCommit;

        public Task Crashed => _crashed.Task;

        public int RowsWrittenSinceLastCommit => Volatile.Read(ref _rowsSinceCommit);

        public override async Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default)
        {
            if (id.GrainType == "reporting" && id.GrainKey == key)
            {
                if (id.StateName != "manifest")
                {
                    Interlocked.Increment(ref _rowsSinceCommit);
                }
                else if (Interlocked.Increment(ref _manifestWrites) >= failOnManifestWrite)
                {
                    _crashed.TrySetResult();
                    throw new IOException("simulated crash before the manifest write");
                }
                else
                {
                    Volatile.Write(ref _rowsSinceCommit, 0);
                }
            }

            return await Inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);
        }
    }
}
