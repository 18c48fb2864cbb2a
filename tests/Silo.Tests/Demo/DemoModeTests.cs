using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.Grains.Accounts;
using ArActors.Grains.Ledger;
using ArActors.Runtime;
using ArActors.Silo.Demo;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Silo.Tests.Demo;

/// <summary>--demo on the embedded store: the portfolio goes in through the grains once, and demo people can sign in.</summary>
public sealed class DemoModeTests : IDisposable
{
    private const int Accounts = 40;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "aractors-demo-" + Guid.NewGuid().ToString("N"));

    private WebApplicationFactory<Program> Engine(bool demo) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("ArActors:DataDirectory", _dataDirectory)
            .UseSetting("ConnectionStrings:Postgres", "")
            .UseSetting("ArActors:Demo", demo ? "true" : "false")
            .UseSetting("ArActors:DemoAccounts", Accounts.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static async Task<int> SeededAsync(WebApplicationFactory<Program> engine)
    {
        _ = engine.Server;
        return await engine.Services.GetRequiredService<DemoSeeder>().Seeded.WaitAsync(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Demo_mode_seeds_the_generated_portfolio_through_the_grains_and_the_ledger_is_consistent()
    {
        await using var engine = Engine(demo: true);

        Assert.Equal(Accounts, await SeededAsync(engine));

        var grains = engine.Services.GetRequiredService<IGrainFactory>();
        var expected = DemoPortfolio.Generate(DemoSeeder.Seed, Accounts, DateOnly.FromDateTime(DateTime.UtcNow));
        foreach (var demo in expected)
        {
            var account = grains.GetGrain<IAccountGrain>(demo.Profile.CustomerId);
            Assert.Equal(demo.Profile.Name, (await account.GetProfile())!.Name);
            Assert.Equal(demo.Invoices.Length, (await account.GetInvoices()).Length);
            Assert.Empty(InvariantChecker.Check(await account.GetLedger()));
        }
    }

    [Fact]
    public async Task A_restart_on_a_seeded_store_adds_nothing()
    {
        const string customer = "DEMO-00007";
        int historyLength;
        await using (var first = Engine(demo: true))
        {
            await SeededAsync(first);
            historyLength = (await first.Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>(customer).GetHistory()).Length;
        }

        await using var second = Engine(demo: true);

        Assert.Equal(Accounts, await SeededAsync(second));
        Assert.Equal(historyLength, (await second.Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>(customer).GetHistory()).Length);
    }

    [Fact]
    public async Task A_demo_person_signs_in_without_a_password_and_acts_in_their_role_and_team()
    {
        await using var engine = Engine(demo: true);
        using var client = engine.CreateClient();

        var users = await client.GetFromJsonAsync<JsonElement>("/api/v1/demo/users");
        var signIn = await client.PostAsJsonAsync("/api/v1/demo/sign-in", new { userId = "collector-4" });
        var session = await signIn.Content.ReadFromJsonAsync<JsonElement>();
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.GetProperty("token").GetString());
        var caller = await (await client.SendAsync(me)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Contains(users.EnumerateArray(), u => u.GetProperty("role").GetString() == "manager");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Equal("collector-4", caller.GetProperty("id").GetString());
        Assert.Equal("collector", caller.GetProperty("role").GetString());
        Assert.Equal("south", caller.GetProperty("team").GetString());
    }

    [Fact]
    public async Task An_unknown_demo_person_is_refused_naming_the_field()
    {
        await using var engine = Engine(demo: true);
        using var client = engine.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/demo/sign-in", new { userId = "mallory" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("userId", out _));
    }

    [Fact]
    public async Task Without_demo_mode_there_is_no_passwordless_sign_in_and_nothing_is_seeded()
    {
        await using var engine = Engine(demo: false);
        using var client = engine.CreateClient();

        var signIn = await client.PostAsJsonAsync("/api/v1/demo/sign-in", new { userId = "manager" });

        Assert.Equal(HttpStatusCode.NotFound, signIn.StatusCode);
        Assert.Null(await engine.Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>("DEMO-00001").GetProfile());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
