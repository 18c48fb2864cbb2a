using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArActors.Api.Events;
using ArActors.Api.Security;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Events;

/// <summary><c>GET /api/v1/events</c> and <c>POST /api/v1/announcements</c> over the Silo program on PostgreSQL.</summary>
public sealed class EventsApiTests : IClassFixture<PostgresDatabase>, IDisposable
{
    private static readonly string SigningKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"));

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly (string Key, ApiKeyRecord Record) _integrationKey = ApiKeys.Create("erp", Roles.Integration);
    private readonly PostgresDatabase _database;
    private readonly WebApplicationFactory<Program> _factory;

    public EventsApiTests(PostgresDatabase database)
    {
        _database = database;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Postgres", database.ConnectionString);
            web.UseSetting("ArActors:Auth:SigningKey", SigningKey);
            web.UseSetting("ArActors:Auth:ApiKeys:0:KeyId", _integrationKey.Record.KeyId);
            web.UseSetting("ArActors:Auth:ApiKeys:0:Name", _integrationKey.Record.Name);
            web.UseSetting("ArActors:Auth:ApiKeys:0:Role", _integrationKey.Record.Role);
            web.UseSetting("ArActors:Auth:ApiKeys:0:SecretSha256", _integrationKey.Record.SecretSha256);
            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    public void Dispose() => _factory.Dispose();

    private HttpClient As(string role)
    {
        var client = _factory.CreateClient();
        var token = _factory.Services.GetRequiredService<SignedTokens>()
            .Issue(new UserIdentity("u-" + role, "User " + role, role, role is Roles.Collector or Roles.TeamLead ? "north" : null), TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private HttpClient AsIntegration()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, _integrationKey.Key);
        return client;
    }

    private static Task<HttpResponseMessage> Announce(HttpClient client, string message, string? severity = null) =>
        client.PostAsJsonAsync("/api/v1/announcements", new { message, severity });

    private static async Task<EventPage> Page(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/v1/events?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<EventPage>())!;
    }

    private Task<long> AnnouncementCount() =>
        _database.ScalarAsync<long>("SELECT count(*) FROM aractors.events WHERE topic = 'announcements'");

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static void AssertFieldError(JsonElement problem, string field, string reasonPart)
    {
        var reasons = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(reasons, r => r.Contains(reasonPart, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_managers_announcement_is_committed_to_the_announcements_topic_and_read_back_in_order()
    {
        using var manager = As(Roles.Manager);

        var first = await Announce(manager, "Bank file delayed", "warning");
        var second = await Announce(manager, "  Lockbox back online  ");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var accepted = (await first.Content.ReadFromJsonAsync<AnnouncementAccepted>())!;
        Assert.Equal(new AnnouncementPosted(accepted.Announcement.Id, "Bank file delayed", "warning", "User manager", _clock.GetUtcNow()), accepted.Announcement);
        var secondSequence = (await second.Content.ReadFromJsonAsync<AnnouncementAccepted>())!.Sequence;
        Assert.Equal(accepted.Sequence + 1, secondSequence);

        using var collector = As(Roles.Collector);
        var page = await Page(collector, $"topic=announcements&after={accepted.Sequence - 1}");
        Assert.Equal([accepted.Sequence, secondSequence], page.Items.Select(i => i.Sequence));
        Assert.All(page.Items, i => Assert.Equal(("announcements", nameof(AnnouncementPosted), _clock.GetUtcNow()), (i.Topic, i.EventType, i.OccurredAt)));
        Assert.Equal("Bank file delayed", page.Items[0].Payload.GetProperty("message").GetString());
        Assert.Equal("Lockbox back online", page.Items[1].Payload.GetProperty("message").GetString());
        Assert.Equal("info", page.Items[1].Payload.GetProperty("severity").GetString());
        Assert.Equal(secondSequence, page.Next);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Pages_follow_the_next_cursor_until_there_is_no_more()
    {
        using var admin = As(Roles.Admin);
        var start = (await Page(admin, "topic=announcements&limit=1000")).Next;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await Announce(admin, $"notice {i}")).StatusCode);
        }

        var seen = new List<long>();
        var after = start;
        var pages = 0;
        while (true)
        {
            var page = await Page(admin, $"topic=announcements&after={after}&limit=2");
            pages++;
            seen.AddRange(page.Items.Select(i => i.Sequence));
            after = page.Next;
            if (!page.HasMore)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range((int)start + 1, 5).Select(n => (long)n), seen);
        Assert.Equal(3, pages);
        var empty = await Page(admin, $"topic=announcements&after={after}");
        Assert.Empty(empty.Items);
        Assert.Equal(after, empty.Next);
    }

    [Theory]
    [InlineData(Roles.Collector)]
    [InlineData(Roles.TeamLead)]
    [InlineData(Roles.Integration)]
    public async Task Only_managers_and_admins_post_announcements_and_a_refusal_publishes_nothing(string role)
    {
        using var caller = role == Roles.Integration ? AsIntegration() : As(role);
        var before = await AnnouncementCount();

        var problem = await AssertProblem(await Announce(caller, "Free pizza"), HttpStatusCode.Forbidden);

        Assert.Contains($"Role '{role}' may not post announcements", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await AnnouncementCount());
    }

    [Fact]
    public async Task A_bad_announcement_is_refused_naming_each_field_and_publishes_nothing()
    {
        using var manager = As(Roles.Manager);
        var before = await AnnouncementCount();

        AssertFieldError(await AssertProblem(await Announce(manager, "   "), HttpStatusCode.BadRequest), "message", "Required");
        AssertFieldError(await AssertProblem(await Announce(manager, new string('x', 501)), HttpStatusCode.BadRequest), "message", "At most 500 characters; this one has 501.");
        AssertFieldError(await AssertProblem(await Announce(manager, "two\nlines"), HttpStatusCode.BadRequest), "message", "control characters");
        AssertFieldError(await AssertProblem(await Announce(manager, "ok", "urgent"), HttpStatusCode.BadRequest), "severity", "Must be one of info, warning, critical.");

        using var truncated = new StringContent("""{"message":"Bank fi""", Encoding.UTF8, "application/json");
        await AssertProblem(await manager.PostAsync("/api/v1/announcements", truncated), HttpStatusCode.BadRequest);

        Assert.Equal(before, await AnnouncementCount());
    }

    [Theory]
    [InlineData("after=0", "topic", "A topic is required.")]
    [InlineData("topic=payments", "topic", "Unknown topic 'payments'")]
    [InlineData("topic=account/", "topic", "account/{id}")]
    [InlineData("topic=account/a%20b", "topic", "account/{id}")]
    [InlineData("topic=announcements&after=-1", "after", "whole number from 0")]
    [InlineData("topic=announcements&after=abc", "after", "whole number from 0")]
    [InlineData("topic=announcements&after=99999999999999999999", "after", "whole number from 0")]
    [InlineData("topic=announcements&limit=0", "limit", "from 1 to 1000")]
    [InlineData("topic=announcements&limit=1001", "limit", "from 1 to 1000")]
    [InlineData("topic=announcements&limit=ten", "limit", "from 1 to 1000")]
    public async Task A_bad_events_query_is_refused_naming_the_field_and_reason(string query, string field, string reason)
    {
        using var admin = As(Roles.Admin);

        var problem = await AssertProblem(await admin.GetAsync("/api/v1/events?" + query), HttpStatusCode.BadRequest);

        AssertFieldError(problem, field, reason);
    }

    [Theory]
    [InlineData(Roles.Collector, "ledger", HttpStatusCode.Forbidden)]
    [InlineData(Roles.TeamLead, "ledger", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Manager, "ledger", HttpStatusCode.OK)]
    [InlineData(Roles.Admin, "ledger", HttpStatusCode.OK)]
    [InlineData(Roles.Integration, "ledger", HttpStatusCode.OK)]
    [InlineData(Roles.Collector, "account/ACME-001", HttpStatusCode.Forbidden)]
    [InlineData(Roles.TeamLead, "account/ACME-001", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Integration, "account/ACME-001", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Collector, "collector/u-collector", HttpStatusCode.OK)]
    [InlineData(Roles.Collector, "collector/u-other", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Collector, "portfolio/north", HttpStatusCode.Forbidden)]
    [InlineData(Roles.TeamLead, "portfolio/north", HttpStatusCode.OK)]
    [InlineData(Roles.TeamLead, "portfolio/south", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Manager, "portfolio/south", HttpStatusCode.OK)]
    [InlineData(Roles.Integration, "collector/u-collector", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Manager, "imports", HttpStatusCode.OK)]
    [InlineData(Roles.Collector, "imports", HttpStatusCode.Forbidden)]
    [InlineData(Roles.Collector, "announcements", HttpStatusCode.OK)]
    [InlineData(Roles.Integration, "announcements", HttpStatusCode.OK)]
    public async Task Each_role_reads_the_topics_the_rule_gives_it(string role, string topic, HttpStatusCode expected)
    {
        using var caller = role == Roles.Integration ? AsIntegration() : As(role);

        var response = await caller.GetAsync($"/api/v1/events?topic={topic}");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            var problem = await AssertProblem(response, HttpStatusCode.Forbidden);
            Assert.Equal($"Role '{role}' may not read topic '{topic}'.", problem.GetProperty("detail").GetString());
        }
        else
        {
            Assert.Equal(topic, (await response.Content.ReadFromJsonAsync<EventPage>())!.Topic);
        }
    }

    [Fact]
    public async Task Without_credentials_events_and_announcements_answer_401_and_the_hub_refuses_to_negotiate()
    {
        using var anonymous = _factory.CreateClient();

        await AssertProblem(await anonymous.GetAsync("/api/v1/events?topic=announcements"), HttpStatusCode.Unauthorized);
        await AssertProblem(await Announce(anonymous, "hello"), HttpStatusCode.Unauthorized);
        await AssertProblem(await anonymous.PostAsync("/hubs/events/negotiate?negotiateVersion=1", null), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_hub_negotiates_for_a_token_in_the_header_and_in_the_access_token_query()
    {
        using var collector = As(Roles.Collector);
        var header = await collector.PostAsync("/hubs/events/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.OK, header.StatusCode);
        Assert.True((await header.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("connectionToken", out _));

        using var anonymous = _factory.CreateClient();
        var token = collector.DefaultRequestHeaders.Authorization!.Parameter;
        var query = await anonymous.PostAsync($"/hubs/events/negotiate?negotiateVersion=1&access_token={token}", null);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);

        // The query form is for WebSockets only, so it opens the hub and nothing else.
        await AssertProblem(await anonymous.GetAsync($"/api/v1/events?topic=announcements&access_token={token}"), HttpStatusCode.Unauthorized);
    }
}
