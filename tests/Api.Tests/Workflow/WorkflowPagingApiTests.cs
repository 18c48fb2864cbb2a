using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Accounts;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Grains;
using ArActors.Grains.Workflow;
using ArActors.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Cursor paging of the escalation and dispute lists on PostgreSQL: every record once, next null on the last page, bad cursor or limit refused naming the field.</summary>
public sealed class WorkflowPagingApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    /// <summary>Follows <c>next</c> from the first page to the last; returns the ids in the order served and the page sizes.</summary>
    private static async Task<(List<string> Ids, List<int> Pages)> PageAllAsync(HttpClient client, string path, string property)
    {
        var ids = new List<string>();
        var pages = new List<int>();
        var url = path;
        while (true)
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await LedgerApiHost.Json(response);
            var items = page.GetProperty(property).EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
            ids.AddRange(items);
            pages.Add(items.Count);
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                return (ids, pages);
            }

            Assert.True(pages.Count < 20, "paging did not end");
            url = $"{path}&cursor={Uri.EscapeDataString(page.GetProperty("next").GetString()!)}";
        }
    }

    [Fact]
    public async Task Paging_the_escalations_yields_each_record_once_and_next_is_null_on_the_last_page()
    {
        var book = host.Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IEscalationGrain>(EscalationGrain.Key);
        var raised = new List<string>();
        for (var i = 1; i <= 7; i++)
        {
            var origin = new WorkOrigin($"PG-{i}", ["INV-1"], "escalate-team-lead", new DateOnly(2026, 3, 2), new Money(100m * i, "EUR"));
            raised.Add((await book.Raise(new EscalationRaised(origin, EscalationTarget.TeamLead, "pg-team", $"PG-{i} is past due"), "pg-col")).Id);
        }

        await book.Raise(new EscalationRaised(new WorkOrigin("PG-OTHER", ["INV-1"], "escalate-team-lead", new DateOnly(2026, 3, 2), new Money(5m, "EUR")),
            EscalationTarget.TeamLead, "pg-elsewhere", "not this team's"), "pg-col-2");
        var lead = host.As("pg-lead", Roles.TeamLead, "pg-team");

        var (ids, pages) = await PageAllAsync(lead, "/api/v1/escalations?limit=3", "escalations");

        Assert.Equal([3, 3, 1], pages);
        Assert.Equal(raised.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // Without a limit the default page (100) holds them all and says there is no more; filters still apply.
        var whole = await LedgerApiHost.Json(await lead.GetAsync("/api/v1/escalations?status=open"));
        Assert.Equal((7, JsonValueKind.Null), (whole.GetProperty("escalations").GetArrayLength(), whole.GetProperty("next").ValueKind));
    }

    [Fact]
    public async Task Paging_the_disputes_yields_each_record_once_and_keeps_the_filters()
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account("PGD-1", "pgd-col", "north"))).StatusCode);
        var collector = host.As("pgd-col", Roles.Collector, "north");
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts/PGD-1/invoices", new { number = $"INV-{i}", issueDate = "2026-01-15", amount = 100m })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await collector.PostAsJsonAsync($"/api/v1/accounts/PGD-1/invoices/INV-{i}/dispute", new { disputeId = $"D-{i}", reasonCode = "pricing" })).StatusCode);
        }

        var (ids, pages) = await PageAllAsync(host.As("m-1", Roles.Manager), "/api/v1/disputes?accountId=PGD-1&limit=2", "disputes");

        Assert.Equal([2, 2, 1], pages);
        Assert.Equal(["D-1", "D-2", "D-3", "D-4", "D-5"], ids.Order(StringComparer.Ordinal));
        var (mine, _) = await PageAllAsync(collector, "/api/v1/disputes?accountId=PGD-1&status=resolved&limit=2", "disputes");
        Assert.Empty(mine);
    }

    [Theory]
    [InlineData("/api/v1/escalations?limit=0", "limit")]
    [InlineData("/api/v1/escalations?limit=501", "limit")]
    [InlineData("/api/v1/escalations?limit=ten", "limit")]
    [InlineData("/api/v1/escalations?cursor=not-a-cursor", "cursor")]
    [InlineData("/api/v1/escalations?cursor=ACCOUNT", "cursor")]
    [InlineData("/api/v1/disputes?limit=-1", "limit")]
    [InlineData("/api/v1/disputes?limit=1.5", "limit")]
    [InlineData("/api/v1/disputes?cursor=%25%25", "cursor")]
    [InlineData("/api/v1/disputes?cursor=ACCOUNT", "cursor")]
    public async Task A_bad_cursor_or_limit_is_refused_as_problem_json_naming_the_field(string url, string field)
    {
        var response = await host.As("m-1", Roles.Manager).GetAsync(url.Replace("ACCOUNT", AccountListEndpoints.EncodeCursor("PG-1"), StringComparison.Ordinal));

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        var errors = (await LedgerApiHost.Json(response)).GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(p => p.Name));
    }
}
