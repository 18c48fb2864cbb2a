using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;
using ArActors.Api.Webhooks;
using ArActors.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ArActors.Api.Tests.Webhooks;

/// <summary>Webhooks end to end: a real HTTP receiver on loopback, the engine on PostgreSQL with a manual clock for backoff.</summary>
public sealed class WebhookTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<Received> _received = new();
    private WebApplication _receiver = null!;
    private string _receiverUrl = null!;
    private int _failNext;

    private sealed record Received(string Path, string? Signature, string? DeliveryId, byte[] Body);

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _receiver = builder.Build();
        _receiver.MapPost("/hooks/{name}", async (HttpContext context, string name) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                return Results.StatusCode(503);
            }

            _received.Enqueue(new Received(name, context.Request.Headers[WebhookSignature.HeaderName], context.Request.Headers["ArActors-Delivery-Id"], body.ToArray()));
            return Results.NoContent();
        });
        await _receiver.StartAsync();
        _receiverUrl = $"http://127.0.0.1:{port}/hooks/";
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private HttpClient Admin => host.As("admin-1", Roles.Admin);

    private async Task<JsonElement> Register(string name, params string[] eventTypes)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/webhooks", new { url = _receiverUrl + name, eventTypes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await LedgerApiHost.Json(response);
    }

    private async Task<List<Received>> WaitFor(string name, int count, bool advanceClock = false)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var got = _received.Where(r => r.Path == name).ToList();
            if (got.Count >= count)
            {
                return got;
            }

            if (advanceClock)
            {
                host.Clock.Advance(TimeSpan.FromSeconds(1));
            }

            await Task.Delay(50);
        }

        return _received.Where(r => r.Path == name).ToList();
    }

    private async Task PostPayment(string account, string paymentId)
    {
        var erp = host.As("erp", Roles.Integration);
        if ((await erp.GetAsync($"/api/v1/accounts/{account}")).StatusCode == HttpStatusCode.NotFound)
        {
            (await erp.PostAsJsonAsync("/api/v1/accounts", LedgerApiHost.Account(account))).EnsureSuccessStatusCode();
        }

        (await erp.PostAsJsonAsync($"/api/v1/accounts/{account}/payments", new { paymentId, amount = 25m, valueDate = "2026-02-20", method = "card" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_payment_reaches_the_webhook_signed_with_its_secret_and_other_event_types_do_not()
    {
        var hook = await Register("signed", "PaymentReceived");
        var secret = hook.GetProperty("secret").GetString()!;

        await PostPayment("WH-1", "PAY-WH-1");

        var got = Assert.Single(await WaitFor("signed", 1));
        var body = JsonSerializer.Deserialize<JsonElement>(got.Body);
        Assert.Equal("PaymentReceived", body.GetProperty("eventType").GetString());
        Assert.Equal("PAY-WH-1", body.GetProperty("data").GetProperty("payment").GetProperty("paymentId").GetString());
        Assert.True(WebhookSignature.Verify(secret, got.Signature!, got.Body, host.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_wrong", got.Signature!, got.Body, host.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.Equal(body.GetProperty("deliveryId").GetString(), got.DeliveryId);

        var deliveries = await LedgerApiHost.Json(await Admin.GetAsync($"/api/v1/webhooks/{hook.GetProperty("id").GetString()}/deliveries"));
        var delivery = await WaitForLog(hook.GetProperty("id").GetString()!);
        Assert.Equal("Delivered", delivery.GetProperty("outcome").GetString(), ignoreCase: true);
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.True(deliveries.GetProperty("cursor").GetInt64() > 0);
    }

    private async Task<JsonElement> WaitForLog(string hookId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var deliveries = await LedgerApiHost.Json(await Admin.GetAsync($"/api/v1/webhooks/{hookId}/deliveries"));
            var items = deliveries.GetProperty("items").EnumerateArray().ToList();
            if (items.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(items);
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_failing_receiver_gets_the_event_again_after_backoff_on_the_engines_clock()
    {
        var hook = await Register("flaky", "PaymentReceived");
        _failNext = 2;

        await PostPayment("WH-2", "PAY-WH-2");

        var got = Assert.Single(await WaitFor("flaky", 1, advanceClock: true));
        Assert.Contains("PAY-WH-2", System.Text.Encoding.UTF8.GetString(got.Body), StringComparison.Ordinal);
        var delivery = await WaitForLog(hook.GetProperty("id").GetString()!);
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_removed_webhook_gets_nothing_more()
    {
        var hook = await Register("removed", "*");
        var id = hook.GetProperty("id").GetString();

        var removed = await Admin.DeleteAsync($"/api/v1/webhooks/{id}");
        await PostPayment("WH-3", "PAY-WH-3");
        await Register("after-removal", "PaymentReceived");
        await PostPayment("WH-3", "PAY-WH-3b");
        await WaitFor("after-removal", 1);

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.DoesNotContain(_received, r => r.Path == "removed");
        var list = await LedgerApiHost.Json(await Admin.GetAsync("/api/v1/webhooks"));
        Assert.DoesNotContain(list.EnumerateArray(), h => h.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Registration_checks_every_field_and_secrets_are_not_listed()
    {
        var bad = await Admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "ftp://example.com/x", eventTypes = new[] { "Payment Received" }, topic = "everything" });
        var collector = await host.As("collector-1", Roles.Collector).PostAsJsonAsync("/api/v1/webhooks", new { url = _receiverUrl + "c", eventTypes = new[] { "*" } });
        await Register("listed", "*");
        var listed = await LedgerApiHost.Json(await Admin.GetAsync("/api/v1/webhooks"));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await LedgerApiHost.Json(bad)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("url", out _));
        Assert.True(errors.TryGetProperty("eventTypes[0]", out _));
        Assert.True(errors.TryGetProperty("topic", out _));
        Assert.Equal(HttpStatusCode.Forbidden, collector.StatusCode);
        Assert.All(listed.EnumerateArray(), h => Assert.Equal(JsonValueKind.Null, h.GetProperty("secret").ValueKind));
    }
}
