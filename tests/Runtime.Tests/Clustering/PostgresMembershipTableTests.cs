using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.TestKit;

namespace ArActors.Runtime.Tests.Clustering;

/// <summary>The table contract on PostgreSQL; each test gets its own schema in this class's database.</summary>
public sealed class PostgresMembershipTableTests(PostgresDatabase database) : MembershipTableContract, IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly List<PostgresMembershipTable> _tables = [];

    protected override async Task<IMembershipTable> CreateTableAsync()
    {
        var table = new PostgresMembershipTable(database.ConnectionString, "m_" + Guid.NewGuid().ToString("N")[..12]);
        _tables.Add(table);
        await table.InitializeAsync();
        return table;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }
    }

    [Fact]
    public async Task Initializing_concurrently_and_repeatedly_applies_the_migration_once_beside_the_storage_schema()
    {
        var tables = Enumerable.Range(0, 4).Select(_ => new PostgresMembershipTable(database.ConnectionString)).ToList();
        _tables.AddRange(tables);

        await Task.WhenAll(tables.Select(t => Task.Run(() => t.InitializeAsync())));
        await tables[0].InitializeAsync();

        Assert.Equal(2, await database.ScalarAsync<int>("SELECT count(*) FROM aractors.membership_schema_version"));
        Assert.Equal(1, await database.ScalarAsync<int>("SELECT count(*) FROM aractors.membership_version"));
        Assert.Equal(0L, (await tables[0].ReadAllAsync()).Version);
    }
}
