using System.Net;
using System.Net.Http.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Promises to pay over HTTP on PostgreSQL: recorded, repeated, refused with the field, scoped.</summary>
public sealed class PromiseApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private async Task OpenWithInvoice(string id)
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id, "pr-col"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 900m })).StatusCode);
    }

    [Fact]
    public async Task A_collector_records_a_promise_and_lists_it_and_a_repeat_changes_nothing()
    {
        await OpenWithInvoice("PR-1");
        var collector = host.As("pr-col", Roles.Collector);
        var body = new { id = "P-1", amount = 400m, date = "2026-03-10", invoiceNumbers = new[] { "INV-1" }, graceDays = 2 };

        var first = await collector.PostAsJsonAsync("/api/v1/accounts/PR-1/promises", body);
        var repeat = await collector.PostAsJsonAsync("/api/v1/accounts/PR-1/promises", body);
        var list = await LedgerApiHost.Json(await collector.GetAsync("/api/v1/accounts/PR-1/promises"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        var promise = Assert.Single(list.GetProperty("promises").EnumerateArray());
        Assert.Equal(("P-1", "open", "EUR", 400m), (promise.GetProperty("promise").GetProperty("id").GetString(), promise.GetProperty("status").GetString(),
            promise.GetProperty("promise").GetProperty("amount").GetProperty("currency").GetString(), promise.GetProperty("promise").GetProperty("amount").GetProperty("amount").GetDecimal()));
    }

    [Theory]
    [InlineData("{\"id\":\"P-2\",\"amount\":-1,\"date\":\"2026-03-10\",\"invoiceNumbers\":[\"INV-1\"]}", HttpStatusCode.BadRequest, "amount")]
    [InlineData("{\"id\":\"P-2\",\"amount\":1.001,\"date\":\"2026-03-10\",\"invoiceNumbers\":[\"INV-1\"]}", HttpStatusCode.BadRequest, "amount")]
    [InlineData("{\"id\":\"P-2\",\"amount\":10,\"invoiceNumbers\":[\"INV-1\"]}", HttpStatusCode.BadRequest, "date")]
    [InlineData("{\"id\":\"P-2\",\"amount\":10,\"date\":\"2026-03-01\",\"invoiceNumbers\":[\"INV-1\"]}", HttpStatusCode.BadRequest, "date")]
    [InlineData("{\"id\":\"P-2\",\"amount\":10,\"date\":\"2026-03-10\",\"invoiceNumbers\":[\"INV-9\"]}", HttpStatusCode.UnprocessableEntity, "invoiceNumbers[0]")]
    [InlineData("{\"amount\":10,\"date\":\"2026-03-10\",\"invoiceNumbers\":[\"INV-1\"]}", HttpStatusCode.BadRequest, "id")]
    public async Task A_bad_promise_is_refused_as_problem_json_naming_the_field_and_nothing_is_recorded(string json, HttpStatusCode status, string field)
    {
        var id = "PR-BAD-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))[..10];
        await OpenWithInvoice(id);
        var manager = host.As("m-1", Roles.Manager);

        var response = await manager.PostAsync($"/api/v1/accounts/{id}/promises", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await LedgerApiHost.Json(response)).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Empty((await LedgerApiHost.Json(await manager.GetAsync($"/api/v1/accounts/{id}/promises"))).GetProperty("promises").EnumerateArray());
    }

    [Fact]
    public async Task Another_collectors_account_is_not_found()
    {
        await OpenWithInvoice("PR-3");

        var response = await host.As("someone-else", Roles.Collector).PostAsJsonAsync("/api/v1/accounts/PR-3/promises",
            new { id = "P-1", amount = 10m, date = "2026-03-10", invoiceNumbers = new[] { "INV-1" } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty((await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/accounts/PR-3/promises"))).GetProperty("promises").EnumerateArray());
    }
}
