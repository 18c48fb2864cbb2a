using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Silo.Demo;
using ArActors.Silo.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Silo.Tests.Demo;

/// <summary>
/// Demo mode's work and simulator on the embedded store with the test clock: the seeded portfolio holds promises and
/// disputes, and each simulator round, run by advancing the engine's clock past its interval, posts through the grains.
/// </summary>
public sealed class DemoSimulatorTests : IDisposable
{
    private const int Accounts = 60;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "aractors-sim-" + Guid.NewGuid().ToString("N"));

    // An hour between rounds: only an advance of the engine's clock runs one within the test.
    private WebApplicationFactory<Program> Engine() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ArActors:DataDirectory", _dataDirectory)
            .UseSetting("ConnectionStrings:Postgres", "")
            .UseSetting("ArActors:Demo", "true")
            .UseSetting("ArActors:TestClock", "true")
            .UseSetting("ArActors:DemoSimulatorSeconds", "3600")
            .UseSetting("ArActors:DemoAccounts", Accounts.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task<List<JsonElement>> LedgerEventsAsync(HttpClient client)
    {
        var events = new List<JsonElement>();
        for (long after = 0; ;)
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/events?topic=ledger&after={after}&limit=1000");
            events.AddRange(page.GetProperty("items").EnumerateArray());
            after = page.GetProperty("next").GetInt64();
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                return events;
            }
        }
    }

    private static bool Is(JsonElement e, string type, Func<JsonElement, bool> payload) =>
        e.GetProperty("eventType").GetString() == type && payload(e.GetProperty("payload"));

    [Fact]
    public async Task The_seeded_portfolio_has_promises_and_disputes_and_each_simulator_round_posts_a_payment_and_a_promise()
    {
        await using var engine = Engine();
        using var client = engine.CreateClient();
        await engine.Services.GetRequiredService<DemoSeeder>().Seeded.WaitAsync(TimeSpan.FromMinutes(2));
        var signIn = await (await client.PostAsJsonAsync("/api/v1/demo/sign-in", new { userId = "manager" })).Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", signIn.GetProperty("token").GetString());

        var seeded = await LedgerEventsAsync(client);
        Assert.Contains(seeded, e => Is(e, "PromiseMade", p => p.GetProperty("promise").GetProperty("id").GetString()!.EndsWith("-PTP-1", StringComparison.Ordinal)));
        Assert.Contains(seeded, e => Is(e, "InvoiceDisputed", _ => true));
        Assert.DoesNotContain(seeded, e => Is(e, "PaymentReceived", p => p.GetProperty("payment").GetProperty("paymentId").GetString()!.StartsWith("SIM-", StringComparison.Ordinal)));

        // Each advance past the interval runs a round; the round's commands are awaited through the grains, so wait
        // (bounded) for their events, advancing again if the simulator had not armed its delay yet.
        var clock = engine.Services.GetRequiredService<TestClock>();
        List<JsonElement> after = [];
        for (var attempt = 0; attempt < 40; attempt++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            await Task.Delay(250);
            after = await LedgerEventsAsync(client);
            if (after.Any(e => Is(e, "PaymentReceived", p => p.GetProperty("payment").GetProperty("paymentId").GetString()!.StartsWith("SIM-PAY-", StringComparison.Ordinal)))
                && after.Any(e => Is(e, "PromiseMade", p => p.GetProperty("promise").GetProperty("id").GetString()!.StartsWith("SIM-PTP-", StringComparison.Ordinal))))
            {
                break;
            }
        }

        Assert.Contains(after, e => Is(e, "PaymentReceived", p => p.GetProperty("payment").GetProperty("paymentId").GetString()!.StartsWith("SIM-PAY-", StringComparison.Ordinal)));
        Assert.Contains(after, e => Is(e, "PromiseMade", p => p.GetProperty("promise").GetProperty("id").GetString()!.StartsWith("SIM-PTP-", StringComparison.Ordinal)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
