using System.Net;
using System.Net.Http.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Manual holds over HTTP on PostgreSQL: placed until a date, released, refused naming the field, scoped.</summary>
public sealed class HoldApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private async Task OpenWithInvoice(string id)
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id, "ho-col"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number = "INV-1", issueDate = "2026-02-15", amount = 900m })).StatusCode);
    }

    [Fact]
    public async Task A_hold_until_a_date_holds_the_ladder_and_a_release_ends_it_once()
    {
        await OpenWithInvoice("HO-1");
        var collector = host.As("ho-col", Roles.Collector, "north");

        var held = await collector.PostAsJsonAsync("/api/v1/accounts/HO-1/invoices/INV-1/hold", new { until = "2026-03-20", reason = "customer on holiday" });
        Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        var pause = Assert.Single((await LedgerApiHost.Json(held)).GetProperty("workflow").GetProperty("pauses").EnumerateArray());
        Assert.Equal(("manualHold", "2026-03-02", "2026-03-20"), (pause.GetProperty("kind").GetString(), pause.GetProperty("from").GetString(), pause.GetProperty("until").GetString()));

        var released = await LedgerApiHost.Json(await collector.PostAsJsonAsync("/api/v1/accounts/HO-1/invoices/INV-1/hold-release", new { reason = "back early" }));
        var again = await LedgerApiHost.Json(await collector.PostAsJsonAsync("/api/v1/accounts/HO-1/invoices/INV-1/hold-release", new { }));
        Assert.Equal("2026-03-02", released.GetProperty("workflow").GetProperty("pauses")[0].GetProperty("until").GetString());
        Assert.Equal(released.GetProperty("workflow").ToString(), again.GetProperty("workflow").ToString());
    }

    [Theory]
    [InlineData("{}", "until")]
    [InlineData("{\"until\":\"2026-03-02\"}", "until")]
    [InlineData("{\"until\":\"2028-01-01\"}", "until")]
    [InlineData("{\"until\":\"20/03/2026\"}", "until")]
    public async Task A_bad_end_date_is_refused_naming_until_and_nothing_is_held(string json, string field)
    {
        var id = "HO-BAD-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))[..10];
        await OpenWithInvoice(id);
        var manager = host.As("m-1", Roles.Manager);

        var response = await manager.PostAsync($"/api/v1/accounts/{id}/invoices/INV-1/hold", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.True((await LedgerApiHost.Json(response)).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Empty((await LedgerApiHost.Json(await manager.GetAsync($"/api/v1/accounts/{id}/invoices/INV-1/workflow"))).GetProperty("workflow").GetProperty("pauses").EnumerateArray());
    }

    [Fact]
    public async Task Another_collectors_invoice_is_not_found_and_stays_unheld()
    {
        await OpenWithInvoice("HO-3");
        Assert.Equal(HttpStatusCode.NotFound, (await host.As("someone-else", Roles.Collector, "north").PostAsJsonAsync("/api/v1/accounts/HO-3/invoices/INV-1/hold", new { until = "2026-03-20" })).StatusCode);
        Assert.Empty((await LedgerApiHost.Json(await host.As("m-1", Roles.Manager).GetAsync("/api/v1/accounts/HO-3/invoices/INV-1/workflow"))).GetProperty("workflow").GetProperty("pauses").EnumerateArray());
    }
}
