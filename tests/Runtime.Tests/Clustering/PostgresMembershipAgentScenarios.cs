using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Postgres;
using ArActors.TestKit;

namespace ArActors.Runtime.Tests.Clustering;

/// <summary>The same scenarios with every silo talking to PostgreSQL; each test gets its own schema.</summary>
public sealed class PostgresMembershipAgentScenarios(PostgresDatabase database) : MembershipAgentScenarios, IClassFixture<PostgresDatabase>
{
    private readonly List<PostgresMembershipTable> _tables = [];

    protected override async Task<IMembershipTable> CreateTableAsync()
    {
        var table = new PostgresMembershipTable(database.ConnectionString, "m_" + Guid.NewGuid().ToString("N")[..12]);
        _tables.Add(table);
        await table.InitializeAsync();
        return table;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var table in _tables)
        {
            await table.DisposeAsync();
        }
    }
}
