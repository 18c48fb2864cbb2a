using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Accounts;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Reporting;

/// <summary><c>GET /api/v1/accounts</c> on PostgreSQL: keyset paging under change, filters, scoping, refusals.</summary>
public sealed class AccountListTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private HttpClient Erp => host.As("erp", Roles.Integration);

    private HttpClient Manager => host.As("m-1", Roles.Manager);

    private static object Account(string id, string name, string collector, string portfolio, string country = "DE", string segment = "corporate") => new
    {
        customerId = id,
        name,
        country,
        timeZone = "Europe/Berlin",
        currency = "USD",
        terms = new { kind = "net", days = 30 },
        creditLimit = 50000m,
        segment,
        portfolio,
        assignedCollector = collector,
        contacts = new[] { new { name = "Ada Payables", role = "AP clerk", email = "ap@example.com", phone = "+49 30 1234567", preferredChannel = "email" } },
    };

    private async Task OpenAsync(string id, string name, string collector, string portfolio, string country = "DE", string segment = "corporate") =>
        Assert.Equal(HttpStatusCode.Created, (await Erp.PostAsJsonAsync("/api/v1/accounts", Account(id, name, collector, portfolio, country, segment))).StatusCode);

    private async Task InvoiceAsync(string id, string number, int daysAgo, decimal amount)
    {
        var today = DateOnly.FromDateTime(host.Clock.GetUtcNow().UtcDateTime);
        Assert.Equal(HttpStatusCode.Created, (await Erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number, issueDate = today.AddDays(-daysAgo), amount })).StatusCode);
    }

    private async Task<JsonElement> ListAsync(HttpClient client, string query)
    {
        await IbmReportingHost.CatchUpAsync(host);
        var response = await client.GetAsync("/api/v1/accounts?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await LedgerApiHost.Json(response);
    }

    private static List<string> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("customerId").GetString()!).ToList();

    [Fact]
    public async Task Paging_through_all_accounts_yields_each_once_while_accounts_are_added_and_changed()
    {
        var originals = Enumerable.Range(0, 23).Select(i => $"PG-{i * 2:D3}").ToList();
        foreach (var id in originals)
        {
            await OpenAsync(id, "Paging " + id, "c-pg", "pg");
        }

        var seen = new List<string>();
        string? cursor = null;
        var round = 0;
        do
        {
            var page = await ListAsync(Manager, "q=PG-&limit=5" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var ids = Ids(page);
            Assert.True(ids.Count <= 5);
            Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
            seen.AddRange(ids);
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();

            // Between pages: one account sorting before the cursor, one after it, and a renamed account further on.
            round++;
            await OpenAsync($"PG-{round * 8 + 1:D3}", "Added " + round, "c-pg", "pg");
            await OpenAsync($"PG-000-{round}", "Added early " + round, "c-pg", "pg");
            Assert.Equal(HttpStatusCode.OK, (await Erp.PutAsJsonAsync($"/api/v1/accounts/{originals[^1]}", Account(originals[^1], "Renamed " + round, "c-pg", "pg"))).StatusCode);
        }
        while (cursor is not null && round < 50);

        Assert.Null(cursor);
        Assert.Equal(seen.Distinct(StringComparer.Ordinal).Count(), seen.Count);
        Assert.All(originals, id => Assert.Contains(id, seen));
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Filters_select_by_portfolio_collector_segment_country_status_past_due_bucket_and_text()
    {
        await OpenAsync("FL-1", "Acme Filters", "c-f1", "flt", country: "FR", segment: "broker");
        await OpenAsync("FL-2", "Bolt Filters", "c-f2", "flt");
        await OpenAsync("FL-3", "Crane Filters", "c-f1", "flt-other");
        await InvoiceAsync("FL-1", "F1", daysAgo: 100, amount: 700m); // due 70 days ago: 61-90
        await InvoiceAsync("FL-2", "F2", daysAgo: 45, amount: 200m);  // due 15 days ago: 1-30
        await InvoiceAsync("FL-3", "F3", daysAgo: 1, amount: 900m);   // not due
        Assert.Equal(HttpStatusCode.OK, (await Manager.PostAsJsonAsync("/api/v1/accounts/FL-2/status", new { status = "creditHold", reason = "test" })).StatusCode);

        Assert.Equal(["FL-1", "FL-2"], Ids(await ListAsync(Manager, "q=FL-&portfolio=flt")));
        Assert.Equal(["FL-1", "FL-3"], Ids(await ListAsync(Manager, "q=FL-&collector=c-f1")));
        Assert.Equal(["FL-1"], Ids(await ListAsync(Manager, "q=FL-&segment=broker")));
        Assert.Equal(["FL-1"], Ids(await ListAsync(Manager, "q=FL-&country=FR")));
        Assert.Equal(["FL-2"], Ids(await ListAsync(Manager, "q=FL-&status=creditHold")));
        Assert.Equal(["FL-1"], Ids(await ListAsync(Manager, "q=FL-&minPastDue=500")));
        Assert.Equal(["FL-1", "FL-2"], Ids(await ListAsync(Manager, "q=FL-&minPastDue=0.01")));
        Assert.Equal(["FL-2"], Ids(await ListAsync(Manager, "q=FL-&bucket=1-30")));
        Assert.Equal(["FL-3"], Ids(await ListAsync(Manager, "q=crane")));
        var first = (await ListAsync(Manager, "q=FL-1")).GetProperty("items")[0];
        Assert.Equal(700m, first.GetProperty("pastDue").GetDecimal());
        Assert.Equal(700m, first.GetProperty("openAmount").GetDecimal());
        Assert.Equal("61-90", first.GetProperty("oldestBucket").GetString());
    }

    [Fact]
    public async Task A_collector_sees_their_accounts_a_team_lead_the_team_and_a_manager_all()
    {
        await OpenAsync("SC-1", "Scope one", "c-s1", "scope-a");
        await OpenAsync("SC-2", "Scope two", "c-s2", "scope-a");
        await OpenAsync("SC-3", "Scope three", "c-s1", "scope-b");

        Assert.Equal(["SC-1", "SC-3"], Ids(await ListAsync(host.As("c-s1", Roles.Collector, team: "scope-a"), "q=SC-")));
        Assert.Equal(["SC-1", "SC-2"], Ids(await ListAsync(host.As("tl-a", Roles.TeamLead, team: "scope-a"), "q=SC-")));
        Assert.Equal(["SC-1", "SC-2", "SC-3"], Ids(await ListAsync(Manager, "q=SC-")));
        Assert.Empty(Ids(await ListAsync(host.As("c-s1", Roles.Collector, team: "scope-a"), "q=SC-&portfolio=scope-a&collector=c-s2")));
    }

    [Theory]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=YWNjdDE6", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("status=sleeping", "status")]
    [InlineData("minPastDue=-5", "minPastDue")]
    [InlineData("bucket=Current", "bucket")]
    [InlineData("colour=red", "colour")]
    public async Task Bad_query_values_are_refused_with_400_naming_the_field(string query, string field)
    {
        var response = await Manager.GetAsync("/api/v1/accounts?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await LedgerApiHost.Json(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
    }

    [Fact]
    public void A_cursor_is_opaque_and_round_trips_the_last_id()
    {
        var cursor = AccountListEndpoints.EncodeCursor("ACME/01");
        Assert.DoesNotContain("ACME", cursor, StringComparison.Ordinal);
        Assert.Equal("ACME/01", AccountListEndpoints.DecodeCursor(cursor));
    }
}
