using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ArActors.Api.Security;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Api.Tests.Ledger;

/// <summary>The whole engine (Silo program) on a fresh PostgreSQL database, with a manual clock and test credentials.</summary>
public sealed class LedgerApiHost : IAsyncLifetime
{
    private static readonly string SigningKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef"));

    private readonly PostgresDatabase _database = new();
    private WebApplicationFactory<Program>? _factory;

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    public (string Key, ApiKeyRecord Record) IntegrationKey { get; } = ApiKeys.Create("erp", Roles.Integration);

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Postgres", _database.ConnectionString);
            web.UseSetting("ArActors:Auth:SigningKey", SigningKey);
            web.UseSetting("ArActors:Auth:RequestsPerSecond", "10000");
            web.UseSetting("ArActors:Auth:Burst", "10000");
            web.UseSetting("ArActors:Auth:ApiKeys:0:KeyId", IntegrationKey.Record.KeyId);
            web.UseSetting("ArActors:Auth:ApiKeys:0:Name", IntegrationKey.Record.Name);
            web.UseSetting("ArActors:Auth:ApiKeys:0:Role", IntegrationKey.Record.Role);
            web.UseSetting("ArActors:Auth:ApiKeys:0:SecretSha256", IntegrationKey.Record.SecretSha256);
            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        });
        _ = _factory.Server;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    /// <summary>A client acting as a person with a role (and team) or, with role "integration", as the ERP's API key.</summary>
    public HttpClient As(string userId, string role, string? team = null)
    {
        var client = Factory.CreateClient();
        if (role == Roles.Integration)
        {
            client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, IntegrationKey.Key);
        }
        else
        {
            var token = Factory.Services.GetRequiredService<SignedTokens>().Issue(new UserIdentity(userId, userId, role, team), TimeSpan.FromHours(8));
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static object Account(string id, string collector = "collector-1", string portfolio = "north", string currency = "EUR") => new
    {
        customerId = id,
        name = "Customer " + id,
        country = "DE",
        timeZone = "Europe/Berlin",
        currency,
        terms = new { kind = "net", days = 30 },
        creditLimit = 50000m,
        segment = "leasingCompany",
        portfolio,
        assignedCollector = collector,
        contacts = new[] { new { name = "Ada Payables", role = "AP clerk", email = "ap@example.com", phone = "+49 30 1234567", preferredChannel = "email" } },
    };

    public static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();
}
