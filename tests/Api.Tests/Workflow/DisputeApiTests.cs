using System.Net;
using System.Net.Http.Json;
using System.Text;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Disputes over HTTP on PostgreSQL: opened with owner and deadline, listed and summarized per caller, resolved, refused with the field.</summary>
public sealed class DisputeApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private async Task OpenWithInvoice(string id, string collector = "dp-col", string portfolio = "north")
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id, collector, portfolio))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 900m })).StatusCode);
    }

    private async Task<System.Text.Json.JsonElement> InvoiceAsync(string id) =>
        await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync($"/api/v1/accounts/{id}/invoices/INV-1"));

    [Fact]
    public async Task A_collector_opens_a_partial_dispute_the_matrix_names_owner_and_deadline_and_it_is_listed_and_summarized()
    {
        await OpenWithInvoice("DP-1");
        var collector = host.As("dp-col", Roles.Collector, "north");

        var opened = await collector.PostAsJsonAsync("/api/v1/accounts/DP-1/invoices/INV-1/dispute", new { disputeId = "D-1", reasonCode = "pricing", amount = 300m, note = "agreed 10% discount" });

        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var dispute = await LedgerApiHost.Json(opened);
        Assert.Equal(("Pricing", "pricing-lead", "2026-03-12", 300m, "open"), (dispute.GetProperty("department").GetString(), dispute.GetProperty("lead").GetString(),
            dispute.GetProperty("deadline").GetString(), dispute.GetProperty("amount").GetProperty("amount").GetDecimal(), dispute.GetProperty("status").GetString()));
        var invoice = await InvoiceAsync("DP-1");
        Assert.Equal(("disputed", 900m), (invoice.GetProperty("status").GetString(), invoice.GetProperty("openAmount").GetProperty("amount").GetDecimal()));

        var listed = await LedgerApiHost.Json(await collector.GetAsync("/api/v1/disputes?status=open&reason=pricing&accountId=DP-1"));
        Assert.Equal("D-1", Assert.Single(listed.GetProperty("disputes").EnumerateArray()).GetProperty("id").GetString());
        var summary = await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/disputes/summary?accountId=DP-1"));
        var pricing = Assert.Single(summary.GetProperty("reasons").EnumerateArray());
        Assert.Equal(("pricing", 1, 1, 300m), (pricing.GetProperty("reason").GetString(), pricing.GetProperty("count").GetInt32(), pricing.GetProperty("open").GetInt32(), pricing.GetProperty("amount").GetDecimal()));

        // Another collector and another portfolio's lead see nothing of it.
        Assert.Empty((await LedgerApiHost.Json(await host.As("other-col", Roles.Collector, "north").GetAsync("/api/v1/disputes?accountId=DP-1"))).GetProperty("disputes").EnumerateArray());
        Assert.Empty((await LedgerApiHost.Json(await host.As("lead-south", Roles.TeamLead, "south").GetAsync("/api/v1/disputes?accountId=DP-1"))).GetProperty("disputes").EnumerateArray());
        Assert.Single((await LedgerApiHost.Json(await host.As("lead-north", Roles.TeamLead, "north").GetAsync("/api/v1/disputes?accountId=DP-1"))).GetProperty("disputes").EnumerateArray());
    }

    [Fact]
    public async Task A_valid_resolution_needs_an_approver_and_issues_the_credit_note()
    {
        await OpenWithInvoice("DP-2");
        var collector = host.As("dp-col", Roles.Collector, "north");
        Assert.Equal(HttpStatusCode.Created, (await collector.PostAsJsonAsync("/api/v1/accounts/DP-2/invoices/INV-1/dispute", new { disputeId = "D-1", reasonCode = "quantity", amount = 200m })).StatusCode);

        var byCollector = await collector.PostAsJsonAsync("/api/v1/accounts/DP-2/invoices/INV-1/dispute-resolution", new { disputeId = "D-1", outcome = "valid", creditAmount = 150m });
        Assert.Equal(HttpStatusCode.Forbidden, byCollector.StatusCode);
        Assert.Equal(900m, (await InvoiceAsync("DP-2")).GetProperty("openAmount").GetProperty("amount").GetDecimal());

        var byLead = await host.As("lead-north", Roles.TeamLead, "north").PostAsJsonAsync("/api/v1/accounts/DP-2/invoices/INV-1/dispute-resolution",
            new { disputeId = "D-1", outcome = "valid", creditAmount = 150m, note = "two pallets short" });
        Assert.Equal(HttpStatusCode.OK, byLead.StatusCode);
        var resolved = await LedgerApiHost.Json(byLead);
        Assert.Equal(("resolved", "valid", "dispute-D-1"), (resolved.GetProperty("status").GetString(), resolved.GetProperty("outcome").GetString(), resolved.GetProperty("creditId").GetString()));
        var invoice = await InvoiceAsync("DP-2");
        Assert.Equal((750m, "partiallyPaid"), (invoice.GetProperty("openAmount").GetProperty("amount").GetDecimal(), invoice.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task The_first_body_still_opens_and_ends_a_dispute_over_the_whole_invoice()
    {
        await OpenWithInvoice("DP-3");
        var collector = host.As("dp-col", Roles.Collector, "north");

        var opened = await collector.PostAsJsonAsync("/api/v1/accounts/DP-3/invoices/INV-1/dispute", new { reason = "customer says not delivered" });
        var repeat = await collector.PostAsJsonAsync("/api/v1/accounts/DP-3/invoices/INV-1/dispute", new { reason = "customer says not delivered" });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (opened.StatusCode, repeat.StatusCode));
        var dispute = await LedgerApiHost.Json(opened);
        Assert.Equal(("INV-1", "other", 900m), (dispute.GetProperty("id").GetString(), dispute.GetProperty("reason").GetString(), dispute.GetProperty("amount").GetProperty("amount").GetDecimal()));

        var ended = await collector.PostAsJsonAsync("/api/v1/accounts/DP-3/invoices/INV-1/dispute-resolution", new { reason = "delivery note found" });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        var resolved = await LedgerApiHost.Json(ended);
        Assert.Equal(("invalid", "delivery note found"), (resolved.GetProperty("outcome").GetString(), resolved.GetProperty("resolutionNote").GetString()));
        Assert.Equal("open", (await InvoiceAsync("DP-3")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"disputeId\":\"D-9\",\"reasonCode\":\"pricing\",\"amount\":-5}", HttpStatusCode.BadRequest, "amount")]
    [InlineData("{\"disputeId\":\"D-9\",\"reasonCode\":\"pricing\",\"amount\":1.001}", HttpStatusCode.BadRequest, "amount")]
    [InlineData("{\"disputeId\":\"D-9\",\"reasonCode\":\"weather\"}", HttpStatusCode.BadRequest, "reasonCode")]
    [InlineData("{\"disputeId\":\"D-9\",\"reasonCode\":\"pricing\",\"amount\":901}", HttpStatusCode.UnprocessableEntity, "amount")]
    [InlineData("{\"disputeId\":\"D 9\",\"reasonCode\":\"pricing\"}", HttpStatusCode.BadRequest, "disputeId")]
    public async Task A_bad_dispute_is_refused_as_problem_json_naming_the_field_and_nothing_is_recorded(string json, HttpStatusCode status, string field)
    {
        var id = "DP-BAD-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..10];
        await OpenWithInvoice(id);
        var manager = host.As("m-1", Roles.Manager);

        var response = await manager.PostAsync($"/api/v1/accounts/{id}/invoices/INV-1/dispute", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await LedgerApiHost.Json(response)).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Empty((await LedgerApiHost.Json(await manager.GetAsync($"/api/v1/accounts/{id}/disputes"))).GetProperty("disputes").EnumerateArray());
        Assert.Equal("open", (await InvoiceAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_idempotency_key_replays_the_first_answer_and_refuses_another_body()
    {
        await OpenWithInvoice("DP-4");
        var collector = host.As("dp-col", Roles.Collector, "north");
        HttpRequestMessage Post(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/accounts/DP-4/invoices/INV-1/dispute") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "dp-4-open");
            return request;
        }

        var first = await collector.SendAsync(Post(new { disputeId = "D-1", reasonCode = "tax", amount = 100m }));
        var replay = await collector.SendAsync(Post(new { disputeId = "D-1", reasonCode = "tax", amount = 100m }));
        var other = await collector.SendAsync(Post(new { disputeId = "D-2", reasonCode = "tax", amount = 100m }));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity), (first.StatusCode, replay.StatusCode, other.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal("D-1", Assert.Single((await LedgerApiHost.Json(await collector.GetAsync("/api/v1/accounts/DP-4/disputes"))).GetProperty("disputes").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Another_portfolios_collector_cannot_open_or_resolve_and_nothing_changes()
    {
        await OpenWithInvoice("DP-5");
        Assert.Equal(HttpStatusCode.Created, (await host.As("dp-col", Roles.Collector, "north").PostAsJsonAsync("/api/v1/accounts/DP-5/invoices/INV-1/dispute", new { disputeId = "D-1", reasonCode = "service" })).StatusCode);
        var stranger = host.As("south-col", Roles.Collector, "south");

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync("/api/v1/accounts/DP-5/invoices/INV-1/dispute", new { disputeId = "D-2", reasonCode = "service" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync("/api/v1/accounts/DP-5/invoices/INV-1/dispute-resolution", new { disputeId = "D-1", outcome = "invalid", note = "no" })).StatusCode);

        var dispute = Assert.Single((await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/accounts/DP-5/disputes"))).GetProperty("disputes").EnumerateArray());
        Assert.Equal(("D-1", "open"), (dispute.GetProperty("id").GetString(), dispute.GetProperty("status").GetString()));
    }
}
