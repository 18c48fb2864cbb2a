using ArActors.Api.Reporting;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains.Ledger;
using ArActors.Runtime.Storage;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Tests.Reporting;

/// <summary>
/// The projection's commit pacing on PostgreSQL: once caught up, ledger events arriving within
/// <see cref="ReportingOptions.CommitInterval"/> of a commit wait for the next one (one manifest write for many ledger
/// commits); a backlog is folded in full pages without pause.
/// </summary>
public sealed class ProjectionPacingTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private static readonly TimeSpan Long = TimeSpan.FromHours(1);

    private IServiceProvider Services => host.Factory.Services;

    private IDurableStore Store => Services.GetRequiredService<IDurableStore>();

    [Fact]
    public async Task Events_soon_after_a_commit_wait_for_the_interval_instead_of_a_commit_each()
    {
        var lines = File.ReadAllLines(SharedData.PathOf(SharedData.IbmReceivablesFile));
        await IbmReportingHost.ImportAsync(host, Csv(lines, Customers(lines).Take(2)));
        var counting = new ManifestCountingStore(Store, "paced");
        var projector = Projector(counting, "paced", pageSize: 1000, Long);
        await projector.StartAsync(CancellationToken.None);
        try
        {
            // The first commit is not held: nothing was committed before it.
            var before = await Store.GetLastSequenceAsync(LedgerTopics.Ledger);
            await projector.WhenCaughtUpAsync(before).WaitAsync(TimeSpan.FromMinutes(1));
            var writes = counting.ManifestWrites; // the claim on start and the page

            // Many ledger commits (one per imported invoice and payment) within the interval: none is folded yet.
            await IbmReportingHost.ImportAsync(host, Csv(lines, Customers(lines).Skip(2).Take(3)));
            var after = await Store.GetLastSequenceAsync(LedgerTopics.Ledger);
            Assert.True(after > before + 10, $"the import appended {after - before} ledger events");
            await Assert.ThrowsAsync<TimeoutException>(() => projector.WhenCaughtUpAsync(after).WaitAsync(TimeSpan.FromSeconds(1)));
            Assert.Equal(before, projector.State.Cursor);
            Assert.Equal(writes, counting.ManifestWrites);
        }
        finally
        {
            await projector.StopAsync(CancellationToken.None);
        }

        // What waited was not lost: the next start folds it from the committed cursor.
        var last = await Store.GetLastSequenceAsync(LedgerTopics.Ledger);
        var resumed = Projector(Store, "paced", pageSize: 1000, TimeSpan.Zero);
        await resumed.StartAsync(CancellationToken.None);
        try
        {
            await resumed.WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(1));
        }
        finally
        {
            await resumed.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_backlog_is_folded_in_full_pages_without_waiting_for_the_interval()
    {
        var lines = File.ReadAllLines(SharedData.PathOf(SharedData.IbmReceivablesFile));
        await IbmReportingHost.ImportAsync(host, Csv(lines, Customers(lines).Skip(5).Take(3)));
        var last = await Store.GetLastSequenceAsync(LedgerTopics.Ledger);
        var counting = new ManifestCountingStore(Store, "backlog");
        var projector = Projector(counting, "backlog", pageSize: 10, Long);
        await projector.StartAsync(CancellationToken.None);
        try
        {
            await projector.WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(counting.ManifestWrites >= last / 10, $"{counting.ManifestWrites} commits for {last} events in pages of 10");
        }
        finally
        {
            await projector.StopAsync(CancellationToken.None);
        }
    }

    private static IEnumerable<string> Customers(string[] lines) =>
        lines.Skip(1).Select(l => l.Split(',')[1]).Distinct().Order(StringComparer.Ordinal);

    private static string Csv(string[] lines, IEnumerable<string> customers)
    {
        var who = customers.ToHashSet(StringComparer.Ordinal);
        return string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Where(l => who.Contains(l.Split(',')[1])))) + "\n";
    }

    private ReportingProjector Projector(IDurableStore store, string key, int pageSize, TimeSpan interval) =>
        ActivatorUtilities.CreateInstance<ReportingProjector>(
            Services, store, Options.Create(new ReportingOptions { StorageKey = key, PageSize = pageSize, CommitInterval = interval }));

    /// <summary>Counts the manifest writes (one per committed page) of one projection.</summary>
    private sealed class ManifestCountingStore(IDurableStore inner, string key) : DelegatingStore(inner, ownsInner: false)
    {
        private int _manifestWrites;

        public int ManifestWrites => Volatile.Read(ref _manifestWrites);

        public override async Task<StateWriteResult> WriteStateAsync(GrainStateId id, ReadOnlyMemory<byte> payload, string? expectedEtag, IReadOnlyList<EventDraft> events, CancellationToken cancellationToken = default)
        {
            var result = await Inner.WriteStateAsync(id, payload, expectedEtag, events, cancellationToken);
            if (id is { GrainType: "reporting", StateName: "manifest" } && id.GrainKey == key)
            {
                Interlocked.Increment(ref _manifestWrites);
            }

            return result;
        }
    }
}
