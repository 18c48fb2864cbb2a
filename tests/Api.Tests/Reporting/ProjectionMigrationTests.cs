using System.Text.Json;
using ArActors.Api.Reporting;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains.Ledger;
using ArActors.Grains.Reporting;
using ArActors.Runtime.Storage;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Reporting;

/// <summary>A store written by the single-row projection is split into shard rows on the first start.</summary>
public sealed class ProjectionMigrationTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private IServiceProvider Services => host.Factory.Services;

    [Fact]
    public async Task The_single_row_of_the_first_version_is_split_into_shards_on_first_start_and_then_deleted()
    {
        var store = Services.GetRequiredService<IDurableStore>();
        var customers = File.ReadLines(SharedData.PathOf(SharedData.IbmReceivablesFile)).Skip(1).Select(l => l.Split(',')[1]).Distinct().Order(StringComparer.Ordinal).Skip(40).Take(5).ToHashSet(StringComparer.Ordinal);
        var lines = File.ReadAllLines(SharedData.PathOf(SharedData.IbmReceivablesFile));
        await IbmReportingHost.ImportAsync(host, string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Where(l => customers.Contains(l.Split(',')[1])))) + "\n");
        var last = await store.GetLastSequenceAsync(LedgerTopics.Ledger);
        var reference = ProjectionCrashTests.Projector(Services, store, "legacy-reference", pageSize: 1000);
        await reference.StartAsync(CancellationToken.None);
        await reference.WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(2));
        await reference.StopAsync(CancellationToken.None);
        var storage = new ProjectionStorage(store, "legacy");
        await store.WriteStateAsync(storage.LegacyId, JsonSerializer.SerializeToUtf8Bytes(reference.State, JsonSerializerOptions.Web), null, []);

        var migrated = ProjectionCrashTests.Projector(Services, store, "legacy", pageSize: 1000);
        await migrated.StartAsync(CancellationToken.None);
        try
        {
            await migrated.WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(reference.State.Invoices.Count, migrated.State.Invoices.Count);
        }
        finally
        {
            await migrated.StopAsync(CancellationToken.None);
        }

        // A fresh instance reads only the shard rows now: same figures, and the old row is gone.
        var reloaded = await new ProjectionStorage(store, "legacy").LoadAsync(CancellationToken.None);
        Assert.Null(await store.ReadStateAsync(storage.LegacyId));
        Assert.Equal(reference.State.Invoices.OrderBy(p => p.Key, StringComparer.Ordinal), reloaded.Invoices.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(reference.State.Directory.Keys, reloaded.Directory.Keys);
        foreach (var month in new[] { 2012, 2013 }.SelectMany(y => Enumerable.Range(1, 12).Select(m => ReportingPeriod.Month(y, m))))
        {
            Assert.Equal(ProjectionCrashTests.Figures(reference.State, ReportDimension.Portfolio, month), ProjectionCrashTests.Figures(reloaded, ReportDimension.Portfolio, month));
        }
    }

}
