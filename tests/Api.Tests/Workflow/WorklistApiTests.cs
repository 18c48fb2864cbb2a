using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Api.Tests.Reporting;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Worklists over HTTP on PostgreSQL: order, scoping by role and portfolio, top N, refusals, reassignment.</summary>
public sealed class WorklistApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private HttpClient Manager => host.As("m-1", Roles.Manager);

    private async Task OpenWithInvoice(string id, string collector, string portfolio, decimal amount)
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id, collector, portfolio))).StatusCode);

        // Due 14 February, 16 days late on the host's 2 March.
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount })).StatusCode);
    }

    private static async Task<string[]> Ids(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await LedgerApiHost.Json(response)).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("customerId").GetString()!)];
    }

    [Fact]
    public async Task A_collector_reads_their_worklist_in_priority_order_and_top_n_is_its_prefix()
    {
        await OpenWithInvoice("WL-A1", "wl-col-a", "north", 100m);
        await OpenWithInvoice("WL-A2", "wl-col-a", "south", 80_000m);
        var collector = host.As("wl-col-a", Roles.Collector);

        var all = await collector.GetAsync("/api/v1/worklists/me");
        var top1 = await Manager.GetAsync("/api/v1/worklists/wl-col-a?top=1");

        Assert.Equal(["WL-A2", "WL-A1"], await Ids(all));
        var page = await LedgerApiHost.Json(top1);
        Assert.Equal(2, page.GetProperty("total").GetInt32());
        Assert.Equal(["WL-A2"], page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("customerId").GetString()));
        Assert.True(page.GetProperty("entries")[0].GetProperty("score").GetProperty("total").GetInt32() > 0);
    }

    [Fact]
    public async Task A_team_lead_sees_only_their_portfolios_accounts_and_another_collectors_list_is_not_found()
    {
        await OpenWithInvoice("WL-B1", "wl-col-b", "north", 100m);
        await OpenWithInvoice("WL-B2", "wl-col-b", "south", 100m);

        var north = await host.As("lead-n", Roles.TeamLead, "north").GetAsync("/api/v1/worklists/wl-col-b");
        var south = await host.As("lead-s", Roles.TeamLead, "south").GetAsync("/api/v1/worklists/wl-col-b");
        var otherCollector = await host.As("wl-col-x", Roles.Collector).GetAsync("/api/v1/worklists/wl-col-b");

        Assert.Equal(["WL-B1"], await Ids(north));
        Assert.Equal(["WL-B2"], await Ids(south));
        Assert.Equal(HttpStatusCode.NotFound, otherCollector.StatusCode);
        Assert.Equal("application/problem+json", otherCollector.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_team_worklist_merges_its_collectors_queues_by_score_within_the_teams_portfolio_only()
    {
        await OpenWithInvoice("WL-T1", "wl-col-t1", "team-t", 300m);
        await OpenWithInvoice("WL-T2", "wl-col-t2", "team-t", 90_000m);
        await OpenWithInvoice("WL-T3", "wl-col-t1", "team-t", 5_000m);
        await OpenWithInvoice("WL-T4", "wl-col-t1", "team-u", 70_000m);   // the same collector, another team's account
        await IbmReportingHost.CatchUpAsync(host);

        var lead = host.As("lead-t", Roles.TeamLead, "team-t");
        var response = await lead.GetAsync("/api/v1/worklists/teams/team-t");
        var top2 = await LedgerApiHost.Json(await Manager.GetAsync("/api/v1/worklists/teams/team-t?top=2"));
        var otherTeam = await lead.GetAsync("/api/v1/worklists/teams/team-u");
        var collector = await host.As("wl-col-t1", Roles.Collector).GetAsync("/api/v1/worklists/teams/team-t");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var team = await LedgerApiHost.Json(response);
        Assert.Equal(
            [("wl-col-t2", "WL-T2"), ("wl-col-t1", "WL-T3"), ("wl-col-t1", "WL-T1")],
            team.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("collectorId").GetString(), e.GetProperty("entry").GetProperty("customerId").GetString())));
        Assert.Equal([("wl-col-t1", 2), ("wl-col-t2", 1)], team.GetProperty("queues").EnumerateArray().Select(q => (q.GetProperty("collectorId").GetString(), q.GetProperty("total").GetInt32())));
        Assert.Equal(["WL-T2", "WL-T3"], top2.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entry").GetProperty("customerId").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, otherTeam.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, collector.StatusCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("many")]
    public async Task A_bad_top_is_refused_naming_the_field(string top)
    {
        var response = await Manager.GetAsync($"/api/v1/worklists/wl-col-a?top={top}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await LedgerApiHost.Json(response)).GetProperty("errors").TryGetProperty("top", out _));
    }

    [Fact]
    public async Task Reassigning_an_account_moves_it_to_the_new_collectors_worklist()
    {
        await OpenWithInvoice("WL-C1", "wl-col-c", "north", 500m);
        Assert.Equal(["WL-C1"], await Ids(await host.As("wl-col-c", Roles.Collector).GetAsync("/api/v1/worklists/me")));

        var moved = await Manager.PutAsJsonAsync("/api/v1/accounts/WL-C1", LedgerApiHost.Account("WL-C1", "wl-col-d", "north"));

        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Empty(await Ids(await host.As("wl-col-c", Roles.Collector).GetAsync("/api/v1/worklists/me")));
        Assert.Equal(["WL-C1"], await Ids(await host.As("wl-col-d", Roles.Collector).GetAsync("/api/v1/worklists/me")));
    }
}
