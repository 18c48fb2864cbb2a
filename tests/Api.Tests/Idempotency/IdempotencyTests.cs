using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using ArActors.Api.Idempotency;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Api.Tests.Idempotency;

/// <summary>The Idempotency-Key middleware over a real PostgreSQL store, in front of an endpoint that counts its runs.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public sealed class IdempotencyTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private PostgresStore _store = null!;
    private WebApplication _app = null!;
    private int _runs;
    private int _failuresLeft;
    private TimeSpan _handlerDelay;

    public async Task InitializeAsync()
    {
        _store = new PostgresStore(database.ConnectionString, _clock, NullLogger<PostgresStore>.Instance);
        await _store.InitializeAsync();

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<IDurableStore>(_store);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.AddArActorsIdempotency();
        _app = builder.Build();
        _app.Use((context, next) =>
        {
            // Stands in for authentication: the caller's id scopes the keys.
            if (context.Request.Headers.TryGetValue("X-Caller", out var caller))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, caller.ToString())], "test"));
            }

            return next(context);
        });
        _app.UseArActorsIdempotency();
        _app.MapPost("/things", async (Thing thing) =>
        {
            var run = Interlocked.Increment(ref _runs);
            if (_handlerDelay > TimeSpan.Zero)
            {
                await Task.Delay(_handlerDelay);
            }

            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                return Results.Problem(statusCode: 503, title: "Store unavailable");
            }

            return thing.Amount < 0
                ? Results.ValidationProblem(new Dictionary<string, string[]> { ["amount"] = ["must not be negative"] })
                : Results.Created($"/things/{run}", new { run, thing.Name, thing.Amount });
        }).WithIdempotency();
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _store.DisposeAsync();
    }

    private async Task<HttpResponseMessage> Post(string? key, object body, string caller = "u-1")
    {
        using var client = _app.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/things") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Caller", caller);
        if (key is not null)
        {
            request.Headers.Add(IdempotencyMiddleware.HeaderName, key);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_repeat_with_the_same_key_and_body_gets_the_first_answer_without_running_again()
    {
        var first = await Post("k-1", new Thing("lease", 120.50m));
        var second = await Post("k-1", new Thing("lease", 120.50m));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(1, _runs);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.False(first.Headers.Contains(IdempotencyMiddleware.ReplayedHeaderName));
        Assert.Equal("true", second.Headers.GetValues(IdempotencyMiddleware.ReplayedHeaderName).Single());
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_refused_with_422_naming_the_header()
    {
        await Post("k-2", new Thing("lease", 10m));

        var response = await Post("k-2", new Thing("lease", 11m));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await Problem(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(IdempotencyMiddleware.HeaderName, out _));
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_run_once_and_all_get_the_same_answer()
    {
        _handlerDelay = TimeSpan.FromMilliseconds(300);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Post("k-3", new Thing("glass", 99m))));

        Assert.Equal(1, _runs);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal(19, responses.Count(r => r.Headers.Contains(IdempotencyMiddleware.ReplayedHeaderName)));
    }

    [Fact]
    public async Task A_server_error_releases_the_key_so_the_retry_runs()
    {
        _failuresLeft = 1;

        var failed = await Post("k-4", new Thing("energy", 5m));
        var retried = await Post("k-4", new Thing("energy", 5m));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(2, _runs);
    }

    [Fact]
    public async Task A_validation_refusal_is_a_final_answer_and_is_replayed()
    {
        var first = await Post("k-5", new Thing("energy", -1m));
        var second = await Post("k-5", new Thing("energy", -1m));

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(1, _runs);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_key_with_a_space_is_refused_with_400_naming_the_header_and_nothing_runs()
    {
        var response = await Post("has space", new Thing("lease", 1m));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Problem(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(IdempotencyMiddleware.HeaderName, out _));
        Assert.Equal(0, _runs);
    }

    [Fact]
    public async Task A_key_longer_than_255_characters_is_refused()
    {
        var response = await Post(new string('k', 256), new Thing("lease", 1m));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, _runs);
    }

    [Fact]
    public async Task Keys_are_scoped_per_caller()
    {
        var mine = await Post("shared", new Thing("lease", 1m), caller: "u-1");
        var theirs = await Post("shared", new Thing("lease", 1m), caller: "key:erp");

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.Equal(2, _runs);
        Assert.NotEqual(mine.Headers.Location, theirs.Headers.Location);
    }

    [Fact]
    public async Task Without_a_key_every_request_runs()
    {
        await Post(null, new Thing("lease", 1m));
        await Post(null, new Thing("lease", 1m));

        Assert.Equal(2, _runs);
    }

    [Fact]
    public async Task A_claim_whose_request_never_answered_is_taken_over_after_the_lease()
    {
        var id = new GrainStateId("api-idempotency", "u-1|k-6", "response");
        var abandoned = JsonSerializer.SerializeToUtf8Bytes(
            new { requestHash = "whatever", startedAt = _clock.GetUtcNow(), completed = false, status = 0 },
            WebJson);
        await _store.WriteStateAsync(id, abandoned, expectedEtag: null, []);
        _clock.Advance(new IdempotencyOptions().InFlightLease);

        var response = await Post("k-6", new Thing("lease", 1m));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, _runs);
    }

    [Fact]
    public async Task An_answer_older_than_the_retention_no_longer_binds_the_key()
    {
        await Post("k-7", new Thing("lease", 1m));
        _clock.Advance(new IdempotencyOptions().Retention);

        var response = await Post("k-7", new Thing("lease", 2m));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, _runs);
    }

    private sealed record Thing(string Name, decimal Amount);
}
