using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Reporting;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains.Ledger;
using ArActors.Grains.Reporting;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using ArActors.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace ArActors.Api.Tests.Reporting;

/// <summary>The projection on PostgreSQL: a restart resumes at the stored cursor without counting twice; lag is visible; KPI pushes are debounced.</summary>
public sealed class ProjectionRestartTests(LedgerApiHost host, ITestOutputHelper output) : IClassFixture<LedgerApiHost>
{
    private static readonly ExchangeRates Usd = new("USD", []);

    private IServiceProvider Services => host.Factory.Services;

    [Fact]
    public async Task A_new_projector_resumes_after_the_stored_cursor_and_counts_nothing_twice()
    {
        var lines = File.ReadAllLines(SharedData.PathOf(SharedData.IbmReceivablesFile));
        var customers = lines.Skip(1).Select(l => l.Split(',')[1]).Distinct().Order(StringComparer.Ordinal).ToList();
        var first = customers.Take(10).ToHashSet(StringComparer.Ordinal);
        var second = customers.Skip(10).Take(10).ToHashSet(StringComparer.Ordinal);
        string Part(HashSet<string> who) => string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Where(l => who.Contains(l.Split(',')[1])))) + "\n";
        var rows = IbmCsvRow.ReadFile().Where(r => first.Contains(r.Customer) || second.Contains(r.Customer)).ToList();
        var running = Services.GetRequiredService<ReportingProjector>();
        var store = Services.GetRequiredService<IDurableStore>();

        await IbmReportingHost.ImportAsync(host, Part(first));
        await IbmReportingHost.CatchUpAsync(host);
        var foldedBefore = running.State.Cursor;
        await running.StopAsync(CancellationToken.None);
        await IbmReportingHost.ImportAsync(host, Part(second));
        var last = await store.GetLastSequenceAsync(LedgerTopics.Ledger);

        var lagging = await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/reports/aging?asOf=2013-06-30"));
        Assert.Equal(foldedBefore, lagging.GetProperty("projection").GetProperty("cursor").GetInt64());
        Assert.Equal(last - foldedBefore, lagging.GetProperty("projection").GetProperty("lag").GetInt64());
        Assert.True(last > foldedBefore);

        // A fresh instance, as after a process restart: it knows only the stored row.
        var restarted = ActivatorUtilities.CreateInstance<ReportingProjector>(Services);
        await restarted.StartAsync(CancellationToken.None);
        try
        {
            await restarted.WhenCaughtUpAsync(last).WaitAsync(TimeSpan.FromMinutes(2));
            foreach (var end in new[] { new DateOnly(2012, 6, 30), new DateOnly(2012, 12, 31), new DateOnly(2013, 6, 30), new DateOnly(2013, 12, 31) })
            {
                var aging = Assert.Single(ReportFigures.Aging(restarted.State, ReportDimension.All, end, Usd));
                var open = rows.Where(r => r.Issued <= end && r.Settled > end).ToList();
                Assert.Equal(open.Sum(r => r.Amount), aging.Total);
                Assert.Equal(open.Count, aging.Buckets.Sum(b => b.Count));
                var month = ReportingPeriod.MonthOf(end);
                Assert.Equal(rows.Where(r => month.Contains(r.Issued)).Sum(r => r.Amount), Assert.Single(ReportFigures.Dso(restarted.State, ReportDimension.All, month, Usd)).CreditSales);
            }

            Assert.Equal(rows.Count, restarted.State.Invoices.Count);
            var stored = await store.ReadStateAsync(new ProjectionStorage(store, "projection").ManifestId);
            var manifest = JsonSerializer.Deserialize<JsonElement>(stored!.Payload.Span);
            Assert.Equal(last, manifest.GetProperty("cursor").GetInt64());
            output.WriteLine($"manifest: {stored.Payload.Length:N0} bytes naming {manifest.GetProperty("shards").EnumerateObject().Count()} shard rows for {rows.Count} invoices and {restarted.State.Totals.Count} totals");
        }
        finally
        {
            await restarted.StopAsync(CancellationToken.None);
            await running.StartAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Kpi_snapshots_go_to_topic_kpi_on_change_at_most_once_per_interval_per_dimension()
    {
        var erp = host.As("erp", Roles.Integration);
        var events = Services.GetRequiredService<IEventStream>();
        var today = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("KPI-1", portfolio: "kpi-north", currency: "USD"))).StatusCode);
        var after = await Services.GetRequiredService<IDurableStore>().GetLastSequenceAsync(ReportingProjector.KpiTopic);
        var debounce = Services.GetRequiredService<IOptions<ReportingOptions>>().Value.KpiDebounce;

        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts/KPI-1/invoices", new { number = "K1", issueDate = today.AddDays(-40), amount = 100m })).StatusCode);
        await IbmReportingHost.CatchUpAsync(host);
        host.Clock.Advance(debounce); // a change held back by earlier pushes goes out once their interval ends
        var firstPush = await NextSnapshotAsync(events, after, s => s.Dimension == ReportDimension.Portfolio && s.Figures.Any(f => f.Group == "kpi-north" && f.OpenAr == 100m));
        Assert.Equal(100m, firstPush.Snapshot.Figures.Single(f => f.Group == "kpi-north").PastDue);

        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts/KPI-1/invoices", new { number = "K2", issueDate = today, amount = 50m })).StatusCode);
        await IbmReportingHost.CatchUpAsync(host);
        host.Clock.Advance(debounce);
        var secondPush = await NextSnapshotAsync(events, firstPush.Sequence, s => s.Dimension == ReportDimension.Portfolio && s.Figures.Any(f => f.Group == "kpi-north" && f.OpenAr == 150m));

        // The dashboard tiles, month to date: K1 (100, issued 40 days ago, past due) was open at the month start; K2 (50) is this month's sales.
        var tiles = secondPush.Snapshot.Figures.Single(f => f.Group == "kpi-north");
        var days = today.Day;
        Assert.Equal(150m * days / 50m, tiles.Dso);                  // ending AR / sales x days
        Assert.Equal(150m * days / 50m - 50m * days / 50m, tiles.AverageDaysDelinquent); // DSO - current AR / sales x days
        Assert.Equal(0m, tiles.Cei);                                // (100 + 50 - 150) / (100 + 50 - 50)
        Assert.Equal(0m, tiles.CashCollectedToday);
        Assert.Null(tiles.PromiseKeptRate);
        var raw = (await events.ReadAsync(ReportingProjector.KpiTopic, secondPush.Sequence - 1, 1)).Single();
        var figure = JsonSerializer.Deserialize<JsonElement>(raw.Payload.Span).GetProperty("figures").EnumerateArray().First(f => f.GetProperty("group").GetString() == "kpi-north");
        foreach (var original in new[] { "group", "openAr", "pastDue", "pastDuePercent", "current" })
        {
            Assert.True(figure.TryGetProperty(original, out _), $"the original field {original} is still in the message");
        }

        // Nothing for that dimension went out in between: the change waited for the interval to end.
        var between = (await events.ReadAsync(ReportingProjector.KpiTopic, firstPush.Sequence, 1000))
            .Where(e => e.Sequence < secondPush.Sequence)
            .Select(e => JsonSerializer.Deserialize<KpiSnapshot>(e.Payload.Span, JsonSerializerOptions.Web)!)
            .Where(s => s.Dimension == ReportDimension.Portfolio);
        Assert.Empty(between);
        Assert.True(secondPush.Snapshot.At - firstPush.Snapshot.At >= debounce, $"{firstPush.Snapshot.At} then {secondPush.Snapshot.At}");
    }

    private static async Task<(long Sequence, KpiSnapshot Snapshot)> NextSnapshotAsync(IEventStream events, long after, Func<KpiSnapshot, bool> wanted)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await foreach (var e in events.SubscribeAsync(ReportingProjector.KpiTopic, after, timeout.Token))
        {
            var snapshot = JsonSerializer.Deserialize<KpiSnapshot>(e.Payload.Span, JsonSerializerOptions.Web)!;
            if (wanted(snapshot))
            {
                return (e.Sequence, snapshot);
            }
        }

        throw new InvalidOperationException("The subscription ended.");
    }
}
