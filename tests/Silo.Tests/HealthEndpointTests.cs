using System.Net;
using ArActors.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ArActors.Silo.Tests;

public sealed class SqliteHostTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "aractors-" + Guid.NewGuid().ToString("N"));
    private readonly WebApplicationFactory<Program> _factory;

    public SqliteHostTests() =>
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            web.UseSetting("ArActors:DataDirectory", _dataDirectory).UseSetting("ConnectionStrings:Postgres", ""));

    [Fact]
    public async Task Live_and_ready_answer_200_and_the_silo_created_its_store_schema()
    {
        using var client = _factory.CreateClient();

        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        await using var sqlite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "aractors.db")};Mode=ReadOnly");
        await sqlite.OpenAsync();
        await using var tables = sqlite.CreateCommand();
        tables.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'aractors_%'";
        Assert.True((long)(await tables.ExecuteScalarAsync())! >= 4, "the silo creates its tables at start");
    }

    [Fact]
    public async Task The_root_page_names_the_product()
    {
        using var client = _factory.CreateClient();

        var page = await client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("<h1>ArActors</h1>", page, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _factory.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}

public sealed class PostgresHostTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Ready_is_200_on_a_reachable_postgres()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            web.UseSetting("ConnectionStrings:Postgres", database.ConnectionString));
        using var client = factory.CreateClient();

        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("aractors", await database.ScalarAsync<string>("SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'aractors'"));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'aractors' AND table_name = 'reminders'"));
    }

    [Fact]
    public async Task Ready_turns_503_when_postgres_goes_away_while_live_stays_200()
    {
        var doomed = new PostgresDatabase();
        await doomed.InitializeAsync();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            web.UseSetting("ConnectionStrings:Postgres", doomed.ConnectionString));
        using var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);

        await doomed.DisposeAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
    }
}
