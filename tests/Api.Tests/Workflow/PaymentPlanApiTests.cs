using System.Net;
using System.Net.Http.Json;
using System.Text;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Payment plans over HTTP on PostgreSQL: recorded and repeated, refused naming the field, scoped, Idempotency-Key.</summary>
public sealed class PaymentPlanApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private async Task OpenWithInvoice(string id)
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id, "pp-col"))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 900m })).StatusCode);
    }

    private static object Body(string id = "PL-1") => new
    {
        id,
        invoiceNumbers = new[] { "INV-1" },
        installments = new[] { new { date = "2026-03-10", amount = 450m }, new { date = "2026-04-10", amount = 450m } },
    };

    [Fact]
    public async Task A_collector_makes_a_plan_and_lists_it_and_a_repeat_changes_nothing()
    {
        await OpenWithInvoice("PP-1");
        var collector = host.As("pp-col", Roles.Collector, "north");

        var first = await collector.PostAsJsonAsync("/api/v1/accounts/PP-1/payment-plans", Body());
        var repeat = await collector.PostAsJsonAsync("/api/v1/accounts/PP-1/payment-plans", Body());
        var list = await LedgerApiHost.Json(await collector.GetAsync("/api/v1/accounts/PP-1/payment-plans"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, repeat.StatusCode));
        var plan = Assert.Single(list.GetProperty("plans").EnumerateArray());
        Assert.Equal(("active", 2, "pending"), (plan.GetProperty("status").GetString(), plan.GetProperty("installments").GetArrayLength(),
            plan.GetProperty("installments")[0].GetProperty("status").GetString()));
        var workflow = await LedgerApiHost.Json(await collector.GetAsync("/api/v1/accounts/PP-1/invoices/INV-1/workflow"));
        Assert.True(workflow.GetProperty("workflow").GetProperty("held").GetBoolean());
    }

    [Theory]
    [InlineData("{\"id\":\"PL-9\",\"invoiceNumbers\":[\"INV-1\"],\"installments\":[{\"date\":\"2026-03-10\",\"amount\":-1}]}", HttpStatusCode.BadRequest, "installments[0].amount")]
    [InlineData("{\"id\":\"PL-9\",\"invoiceNumbers\":[\"INV-1\"],\"installments\":[{\"amount\":900}]}", HttpStatusCode.BadRequest, "installments[0].date")]
    [InlineData("{\"id\":\"PL-9\",\"invoiceNumbers\":[\"INV-1\"],\"installments\":[{\"date\":\"2026-03-10\",\"amount\":800}]}", HttpStatusCode.BadRequest, "installments")]
    [InlineData("{\"id\":\"PL-9\",\"invoiceNumbers\":[\"INV-1\"],\"installments\":[{\"date\":\"2026-03-01\",\"amount\":900}]}", HttpStatusCode.BadRequest, "installments[0].date")]
    [InlineData("{\"id\":\"PL-9\",\"invoiceNumbers\":[\"INV-7\"],\"installments\":[{\"date\":\"2026-03-10\",\"amount\":900}]}", HttpStatusCode.UnprocessableEntity, "invoiceNumbers[0]")]
    [InlineData("{\"invoiceNumbers\":[\"INV-1\"],\"installments\":[{\"date\":\"2026-03-10\",\"amount\":900}]}", HttpStatusCode.BadRequest, "id")]
    [InlineData("{\"id\":\"PL-9\",\"invoiceNumbers\":[null],\"installments\":[{\"date\":\"2026-03-10\",\"amount\":900}]}", HttpStatusCode.BadRequest, "invoiceNumbers[0]")]
    public async Task A_bad_plan_is_refused_as_problem_json_naming_the_field_and_nothing_is_recorded(string json, HttpStatusCode status, string field)
    {
        var id = "PP-BAD-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..10];
        await OpenWithInvoice(id);
        var manager = host.As("m-1", Roles.Manager);

        var response = await manager.PostAsync($"/api/v1/accounts/{id}/payment-plans", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await LedgerApiHost.Json(response)).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Empty((await LedgerApiHost.Json(await manager.GetAsync($"/api/v1/accounts/{id}/payment-plans"))).GetProperty("plans").EnumerateArray());
    }

    [Fact]
    public async Task Another_collectors_account_is_not_found_and_an_idempotency_key_replays()
    {
        await OpenWithInvoice("PP-3");
        Assert.Equal(HttpStatusCode.NotFound, (await host.As("someone-else", Roles.Collector, "north").PostAsJsonAsync("/api/v1/accounts/PP-3/payment-plans", Body())).StatusCode);

        var collector = host.As("pp-col", Roles.Collector, "north");
        HttpRequestMessage Post(object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/accounts/PP-3/payment-plans") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", "pp-3-plan");
            return request;
        }

        var first = await collector.SendAsync(Post(Body()));
        var replay = await collector.SendAsync(Post(Body()));
        var other = await collector.SendAsync(Post(Body("PL-2")));
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.UnprocessableEntity), (first.StatusCode, replay.StatusCode, other.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Single((await LedgerApiHost.Json(await collector.GetAsync("/api/v1/accounts/PP-3/payment-plans"))).GetProperty("plans").EnumerateArray());
    }
}
