using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ArActors.Api.Security;
using ArActors.Runtime.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Security;

public sealed class SecurityTests : IDisposable
{
    private static readonly string SigningKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"));

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("aractors-api-").FullName;
    private readonly (string Key, ApiKeyRecord Record) _integrationKey = ApiKeys.Create("erp", Roles.Integration);
    private readonly (string Key, ApiKeyRecord Record) _otherKey = ApiKeys.Create("bi", Roles.Integration);
    private readonly WebApplicationFactory<Program> _factory;

    public SecurityTests()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Postgres", "");
            web.UseSetting("ArActors:DataDirectory", _dataDirectory);
            web.UseSetting("ArActors:Auth:SigningKey", SigningKey);
            web.UseSetting("ArActors:Auth:RequestsPerSecond", "1");
            web.UseSetting("ArActors:Auth:Burst", "3");
            foreach (var (i, record) in new[] { _integrationKey.Record, _otherKey.Record }.Index())
            {
                web.UseSetting($"ArActors:Auth:ApiKeys:{i}:KeyId", record.KeyId);
                web.UseSetting($"ArActors:Auth:ApiKeys:{i}:Name", record.Name);
                web.UseSetting($"ArActors:Auth:ApiKeys:{i}:Role", record.Role);
                web.UseSetting($"ArActors:Auth:ApiKeys:{i}:SecretSha256", record.SecretSha256);
            }

            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));
        });
    }

    private string Token(string role, string? team, TimeSpan lifetime) =>
        _factory.Services.GetRequiredService<SignedTokens>().Issue(new UserIdentity("u-" + role, "User " + role, role, team), lifetime);

    private async Task<HttpResponseMessage> GetMe(Action<HttpRequestHeaders>? authenticate = null)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        authenticate?.Invoke(request.Headers);
        return await client.SendAsync(request);
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detailPart)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>();
        Assert.Equal((int)status, problem!.Status);
        Assert.Contains(detailPart, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_credentials_the_api_answers_401_problem_json()
    {
        var response = await GetMe();

        await AssertProblem(response, HttpStatusCode.Unauthorized, "Send a user token");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_valid_api_key_authenticates_as_its_integration()
    {
        var response = await GetMe(h => h.Add(ApiKeyAuthenticationHandler.HeaderName, _integrationKey.Key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var caller = await response.Content.ReadFromJsonAsync<Caller>();
        Assert.Equal(new Caller("key:" + _integrationKey.Record.KeyId, "erp", Roles.Integration, null, "api-key"), caller);
    }

    [Fact]
    public async Task A_key_with_a_wrong_secret_or_malformed_shape_is_refused()
    {
        var wrongSecret = $"{ApiKeys.Prefix}{_integrationKey.Record.KeyId}_not-the-secret";

        await AssertProblem(await GetMe(h => h.Add(ApiKeyAuthenticationHandler.HeaderName, wrongSecret)), HttpStatusCode.Unauthorized, "The API key is not valid.");
        await AssertProblem(await GetMe(h => h.Add(ApiKeyAuthenticationHandler.HeaderName, "hello")), HttpStatusCode.Unauthorized, "The API key is malformed.");
    }

    [Fact]
    public async Task A_valid_user_token_carries_role_and_team()
    {
        var token = Token(Roles.Collector, "north", TimeSpan.FromHours(8));

        var response = await GetMe(h => h.Authorization = new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Caller("u-collector", "User collector", Roles.Collector, "north", "token"), await response.Content.ReadFromJsonAsync<Caller>());
    }

    [Fact]
    public async Task A_token_stops_working_once_it_expires_on_the_engine_clock()
    {
        var token = Token(Roles.Manager, null, TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await GetMe(h => h.Authorization = new AuthenticationHeaderValue("Bearer", token))).StatusCode);

        _clock.Advance(TimeSpan.FromMinutes(11));

        await AssertProblem(await GetMe(h => h.Authorization = new AuthenticationHeaderValue("Bearer", token)), HttpStatusCode.Unauthorized, "The token has expired.");
    }

    [Fact]
    public async Task A_token_whose_payload_was_changed_is_refused()
    {
        var parts = Token(Roles.Collector, "north", TimeSpan.FromHours(1)).Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(parts[1].Replace('-', '+').Replace('_', '/').PadRight((parts[1].Length + 3) / 4 * 4, '=')));
        var forged = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.Replace("\"collector\"", "\"admin\"", StringComparison.Ordinal))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var response = await GetMe(h => h.Authorization = new AuthenticationHeaderValue("Bearer", $"{parts[0]}.{forged}.{parts[2]}"));

        await AssertProblem(response, HttpStatusCode.Unauthorized, "The token signature is invalid.");
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var parts = Token(Roles.Admin, null, TimeSpan.FromHours(1)).Split('.');
        var none = Convert.ToBase64String("""{"alg":"none","typ":"JWT"}"""u8.ToArray()).TrimEnd('=');

        var response = await GetMe(h => h.Authorization = new AuthenticationHeaderValue("Bearer", $"{none}.{parts[1]}."));

        await AssertProblem(response, HttpStatusCode.Unauthorized, "Only HS256");
    }

    [Fact]
    public async Task A_caller_over_its_rate_gets_429_with_retry_after_while_another_caller_is_unaffected()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 8; i++)
        {
            var response = await GetMe(h => h.Add(ApiKeyAuthenticationHandler.HeaderName, _integrationKey.Key));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected = response;
            }
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        await AssertProblem(rejected!, HttpStatusCode.TooManyRequests, "exceeded its request rate");
        Assert.True(int.Parse(rejected!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(HttpStatusCode.OK, (await GetMe(h => h.Add(ApiKeyAuthenticationHandler.HeaderName, _otherKey.Key))).StatusCode);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private sealed record ProblemBody(int Status, string Title, string Detail);
}
