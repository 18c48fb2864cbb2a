using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Ledger;

/// <summary>POST /accounts/{id}/invoices/batch on PostgreSQL: per-item results, safe retries, not all-or-nothing, malformed batches issue nothing, Idempotency-Key.</summary>
public sealed class InvoiceBatchApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private async Task<HttpClient> AccountAsync(string id)
    {
        var erp = host.As("erp", Roles.Integration);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(id))).StatusCode);
        return erp;
    }

    private Task<long> Sequence(string customerId) => host.Factory.Services.GetRequiredService<IDurableStore>().GetLastSequenceAsync("account/" + customerId);

    private static object Item(string number, decimal amount) => new { number, issueDate = "2026-01-15", amount };

    private static List<(string Number, int Status, string? Code)> Results(JsonElement answer) =>
        [.. answer.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("number").GetString()!, i.GetProperty("status").GetInt32(),
            i.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null))];

    [Fact]
    public async Task A_batch_issues_each_invoice_a_retry_is_unchanged_and_a_refused_item_does_not_stop_the_others()
    {
        var erp = await AccountAsync("BAT-1");
        var batch = new { items = new[] { Item("INV-1", 100m), Item("INV-2", 200m), Item("INV-3", 300.50m) } };

        var first = await erp.PostAsJsonAsync("/api/v1/accounts/BAT-1/invoices/batch", batch);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var answer = await LedgerApiHost.Json(first);
        Assert.Equal([("INV-1", 201, null), ("INV-2", 201, null), ("INV-3", 201, null)], Results(answer));
        Assert.Equal((3, 0, 0), (answer.GetProperty("issued").GetInt32(), answer.GetProperty("unchanged").GetInt32(), answer.GetProperty("refused").GetInt32()));
        var invoice = await LedgerApiHost.Json(await erp.GetAsync("/api/v1/accounts/BAT-1/invoices/INV-3"));
        Assert.Equal(300.50m, invoice.GetProperty("openAmount").GetProperty("amount").GetDecimal());

        // The same batch again changes nothing: every item is 200 unchanged.
        var before = await Sequence("BAT-1");
        var retry = await LedgerApiHost.Json(await erp.PostAsJsonAsync("/api/v1/accounts/BAT-1/invoices/batch", batch));
        Assert.Equal([("INV-1", 200, null), ("INV-2", 200, null), ("INV-3", 200, null)], Results(retry));
        Assert.Equal(before, await Sequence("BAT-1"));

        // INV-2 with another amount is refused with its field and code; INV-4 after it is still issued.
        var mixed = await LedgerApiHost.Json(await erp.PostAsJsonAsync("/api/v1/accounts/BAT-1/invoices/batch", new { items = new[] { Item("INV-2", 999m), Item("INV-4", 40m) } }));
        Assert.Equal([("INV-2", 409, "duplicate_invoice_number"), ("INV-4", 201, null)], Results(mixed));
        Assert.False(string.IsNullOrEmpty(mixed.GetProperty("items")[0].GetProperty("field").GetString()));
        Assert.Equal(200m, (await LedgerApiHost.Json(await erp.GetAsync("/api/v1/accounts/BAT-1/invoices/INV-2"))).GetProperty("openAmount").GetProperty("amount").GetDecimal());
        Assert.Equal(HttpStatusCode.OK, (await erp.GetAsync("/api/v1/accounts/BAT-1/invoices/INV-4")).StatusCode);
    }

    public static TheoryData<string, string> Malformed()
    {
        var tooMany = "{\"items\":[" + string.Join(",", Enumerable.Range(1, 501).Select(i => $"{{\"number\":\"N-{i}\",\"issueDate\":\"2026-01-15\",\"amount\":1}}")) + "]}";
        return new()
        {
            { """{"items":{"number":"INV-9"}}""", "items" },
            { """{"items":[]}""", "items" },
            { """{}""", "items" },
            { tooMany, "items" },
            { """{"items":[{"number":"INV-8","issueDate":"2026-01-15","amount":5},{"number":"INV-9","issueDate":"2026-01-15"}]}""", "items[1].amount" },
            { """{"items":[{"number":"INV-8","issueDate":"2026-01-15","amount":5},{"number":"INV-8","issueDate":"2026-01-15","amount":5}]}""", "items[1].number" },
            { """{"items":[{"number":"INV-8","issueDate":"2026-01-15","amount":5},null]}""", "items[1]" },
            { """{"items":[{"number":"INV-8","issueDate":"2026-02-30","amount":5}]}""", "items[0].issueDate" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_batch_is_refused_naming_the_item_field_and_nothing_is_issued(string json, string field)
    {
        var customerId = "BAT-M-" + Math.Abs(json.GetHashCode(StringComparison.Ordinal)) % 100_000;
        var erp = await AccountAsync(customerId);
        var before = await Sequence(customerId);

        var response = await erp.PostAsync($"/api/v1/accounts/{customerId}/invoices/batch", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Contains(field, (await LedgerApiHost.Json(response)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(before, await Sequence(customerId));
        Assert.Empty((await LedgerApiHost.Json(await erp.GetAsync($"/api/v1/accounts/{customerId}/invoices"))).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task An_idempotency_key_replays_the_first_answer_and_refuses_another_body()
    {
        var erp = await AccountAsync("BAT-K");
        HttpRequestMessage Post(decimal amount)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/accounts/BAT-K/invoices/batch") { Content = JsonContent.Create(new { items = new[] { Item("INV-1", amount) } }) };
            request.Headers.Add("Idempotency-Key", "bat-k-1");
            return request;
        }

        var first = await erp.SendAsync(Post(10m));
        var replay = await erp.SendAsync(Post(10m));
        var other = await erp.SendAsync(Post(11m));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity), (first.StatusCode, replay.StatusCode, other.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal([("INV-1", 201, null)], Results(await LedgerApiHost.Json(replay)));
    }

    [Fact]
    public async Task A_collector_may_not_issue_a_batch_and_nothing_is_issued()
    {
        await AccountAsync("BAT-C");
        var before = await Sequence("BAT-C");

        var response = await host.As("collector-1", Roles.Collector, "north").PostAsJsonAsync("/api/v1/accounts/BAT-C/invoices/batch", new { items = new[] { Item("INV-1", 10m) } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await Sequence("BAT-C"));
    }
}
