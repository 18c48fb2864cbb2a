using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Reporting;

/// <summary>
/// Disputes, activities and promises made through the API reach the collections reports through the ledger topic:
/// the events the workflow grains publish are the ones the projection reads.
/// </summary>
public sealed class CollectionsReportTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private HttpClient Manager => host.As("m-1", Roles.Manager);

    private async Task<JsonElement> ReportAsync(HttpClient client, string url)
    {
        await IbmReportingHost.CatchUpAsync(host);
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await LedgerApiHost.Json(response);
    }

    private static async Task Ok(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

    [Fact]
    public async Task A_dispute_a_right_party_call_and_a_promise_show_in_disputes_promises_and_collector_performance()
    {
        var erp = host.As("erp", Roles.Integration);
        var collector = host.As("c-wf", Roles.Collector, team: "wf");
        var today = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime);
        var month = $"{today:yyyy-MM}";
        await Ok(await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("WF-1", collector: "c-wf", portfolio: "wf", currency: "USD")));
        await Ok(await erp.PostAsJsonAsync("/api/v1/accounts/WF-1/invoices", new { number = "W1", issueDate = today.AddDays(-40), amount = 120m }));
        await Ok(await collector.PostAsJsonAsync("/api/v1/accounts/WF-1/invoices/W1/dispute", new { reason = "customer says the price is wrong" }));
        await Ok(await collector.PostAsJsonAsync("/api/v1/accounts/WF-1/activities", new { id = "act-1", kind = "call", contactName = "Ada Payables", debt = "W1", outcome = "rightPartyContact" }));
        await Ok(await collector.PostAsJsonAsync("/api/v1/accounts/WF-1/promises", new { id = "p-1", amount = 120m, date = today.AddDays(5), invoiceNumbers = new[] { "W1" } }));

        var disputes = await ReportAsync(Manager, $"/api/v1/reports/disputes?month={month}&by=portfolio");
        var dispute = disputes.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("group").GetString() == "wf");
        Assert.Equal("unspecified", dispute.GetProperty("reason").GetString()); // the ledger's dispute event has no reason code yet
        Assert.Equal(1, dispute.GetProperty("opened").GetInt32());
        Assert.Equal(120m, dispute.GetProperty("openedAmount").GetDecimal());
        Assert.Equal(0, dispute.GetProperty("resolved").GetInt32());

        var mine = await ReportAsync(collector, $"/api/v1/reports/collector-performance?month={month}");
        var row = Assert.Single(mine.GetProperty("rows").EnumerateArray());
        Assert.Equal("c-wf", row.GetProperty("group").GetString());
        Assert.Equal(1, row.GetProperty("accountsWorked").GetInt32());
        Assert.Equal(1, row.GetProperty("contacts").GetInt32());
        Assert.Equal(1, row.GetProperty("rightPartyContacts").GetInt32());
        Assert.Equal(1, row.GetProperty("promises").GetInt32());

        var promises = await ReportAsync(Manager, $"/api/v1/reports/promises?month={month}&by=collector");
        var promise = promises.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("group").GetString() == "c-wf");
        Assert.Equal(1, promise.GetProperty("made").GetInt32());
        Assert.Equal(JsonValueKind.Null, promise.GetProperty("promiseKeptRate").ValueKind); // none resolved yet

        await Ok(await collector.PostAsJsonAsync("/api/v1/accounts/WF-1/invoices/W1/dispute-resolution", new { reason = "price confirmed" }));
        var resolved = (await ReportAsync(Manager, $"/api/v1/reports/disputes?month={month}&by=portfolio")).GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("group").GetString() == "wf");
        Assert.Equal(1, resolved.GetProperty("resolved").GetInt32());
        Assert.Equal(0m, resolved.GetProperty("averageCycleDays").GetDecimal());

        var refused = await collector.GetAsync($"/api/v1/reports/disputes?month={month}&by=country");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var bad = await Manager.GetAsync("/api/v1/reports/promises?month=2026-13");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await LedgerApiHost.Json(bad)).GetProperty("errors").TryGetProperty("month", out _));
    }

    [Fact]
    public async Task A_payment_with_no_invoice_to_go_to_shows_as_unallocated_cash_by_its_age()
    {
        var erp = host.As("erp", Roles.Integration);
        var today = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime);
        await Ok(await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("UC-1", collector: "c-uc", portfolio: "uc", currency: "USD")));
        await Ok(await erp.PostAsJsonAsync("/api/v1/accounts/UC-1/payments", new { paymentId = "pay-uc-1", amount = 75m, currency = "USD", valueDate = today.AddDays(-10), method = "bankTransfer" }));

        var report = await ReportAsync(Manager, $"/api/v1/reports/unallocated-cash?asOf={today:yyyy-MM-dd}&by=portfolio");
        var row = report.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("group").GetString() == "uc");
        Assert.Equal(75m, row.GetProperty("total").GetDecimal());
        var bucket = row.GetProperty("buckets").EnumerateArray().Single(b => b.GetProperty("label").GetString() == "8-30");
        Assert.Equal(75m, bucket.GetProperty("amount").GetDecimal());
        var before = await ReportAsync(Manager, $"/api/v1/reports/unallocated-cash?asOf={today.AddDays(-11):yyyy-MM-dd}&by=portfolio");
        Assert.DoesNotContain(before.GetProperty("rows").EnumerateArray(), r => r.GetProperty("group").GetString() == "uc");
    }
}
