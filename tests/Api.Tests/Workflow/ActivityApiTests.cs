using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Api.Tests.Ledger;

namespace ArActors.Api.Tests.Workflow;

/// <summary>Activity logging over HTTP on PostgreSQL, with the consumer compliance guard (host clock: 2 March 2026 09:00 UTC).</summary>
public sealed class ActivityApiTests(LedgerApiHost host) : IClassFixture<LedgerApiHost>
{
    private HttpClient Collector => host.As("act-col", Roles.Collector);

    private async Task OpenConsumer(string id, string timeZone = "Europe/Berlin")
    {
        var erp = host.As("erp", Roles.Integration);
        var account = new
        {
            customerId = id, name = "Consumer " + id, country = "DE", timeZone, currency = "EUR", terms = new { kind = "net", days = 30 }, creditLimit = 1000m,
            segment = "consumer", portfolio = "north", assignedCollector = "act-col",
            contacts = new[] { new { name = "Dana Debtor", role = "self", email = "dana@example.com", phone = "+49 30 555", preferredChannel = "phone" } },
        };
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync("/api/v1/accounts", account)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await erp.PostAsJsonAsync($"/api/v1/accounts/{id}/invoices", new { number = "INV-1", issueDate = "2026-01-15", amount = 300m })).StatusCode);
    }

    private Task<HttpResponseMessage> Call(string account, string id, string outcome = "noAnswer") =>
        Collector.PostAsJsonAsync($"/api/v1/accounts/{account}/activities", new { id, kind = "call", contactName = "Dana Debtor", debt = "INV-1", outcome });

    private static async Task<JsonElement> AssertNotPermitted(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await LedgerApiHost.Json(response);
        Assert.Equal("contact_not_permitted", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("contactName", out _));
        return problem;
    }

    [Fact]
    public async Task A_call_at_21_00_contact_local_time_is_refused_with_the_reason_and_the_next_permitted_time()
    {
        await OpenConsumer("ACT-LATE", "Asia/Kamchatka");   // UTC+12: 09:00 UTC is 21:00 there

        var problem = await AssertNotPermitted(await Call("ACT-LATE", "A-1"));

        Assert.Equal("It is 21:00 for the contact; contact is allowed from 08:00 to 21:00 their time.", problem.GetProperty("detail").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 20, 0, 0, TimeSpan.Zero), problem.GetProperty("nextPermitted").GetDateTimeOffset());
        Assert.Empty((await LedgerApiHost.Json(await Collector.GetAsync("/api/v1/accounts/ACT-LATE/activities"))).GetProperty("activities").EnumerateArray());
    }

    [Fact]
    public async Task Seven_calls_are_logged_and_the_eighth_in_seven_days_is_refused()
    {
        await OpenConsumer("ACT-CAP");
        for (var i = 1; i <= 7; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await Call("ACT-CAP", $"C-{i}")).StatusCode);
        }

        var problem = await AssertNotPermitted(await Call("ACT-CAP", "C-8"));

        Assert.Contains("at most 7", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 9, 0, 0, TimeSpan.Zero), problem.GetProperty("nextPermitted").GetDateTimeOffset());
        Assert.Equal(7, (await LedgerApiHost.Json(await Collector.GetAsync("/api/v1/accounts/ACT-CAP/activities"))).GetProperty("activities").GetArrayLength());
    }

    [Fact]
    public async Task After_a_right_party_conversation_the_next_call_is_refused_but_a_note_is_logged()
    {
        await OpenConsumer("ACT-RPC");
        Assert.Equal(HttpStatusCode.Created, (await Call("ACT-RPC", "R-1", "rightPartyContact")).StatusCode);

        await AssertNotPermitted(await Call("ACT-RPC", "R-2"));
        var note = await Collector.PostAsJsonAsync("/api/v1/accounts/ACT-RPC/activities", new { id = "N-1", kind = "note", debt = "INV-1", note = "Promised to call back", nextActionOn = "2026-03-09" });

        Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        var activities = (await LedgerApiHost.Json(await Collector.GetAsync("/api/v1/accounts/ACT-RPC/activities"))).GetProperty("activities").EnumerateArray().ToList();
        Assert.Equal(["R-1", "N-1"], activities.Select(a => a.GetProperty("activity").GetProperty("id").GetString()));
        Assert.All(activities, a => Assert.Equal("act-col", a.GetProperty("by").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task A_bad_activity_is_refused_naming_the_field()
    {
        await OpenConsumer("ACT-BAD");

        var noOutcome = await Collector.PostAsJsonAsync("/api/v1/accounts/ACT-BAD/activities", new { id = "B-1", kind = "call", contactName = "Dana Debtor", debt = "INV-1" });
        var stranger = await Collector.PostAsJsonAsync("/api/v1/accounts/ACT-BAD/activities", new { id = "B-2", kind = "email", contactName = "Nobody", debt = "INV-1" });

        Assert.Equal(HttpStatusCode.BadRequest, noOutcome.StatusCode);
        Assert.True((await LedgerApiHost.Json(noOutcome)).GetProperty("errors").TryGetProperty("outcome", out _));
        Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
        Assert.True((await LedgerApiHost.Json(stranger)).GetProperty("errors").TryGetProperty("contactName", out _));
    }
}
