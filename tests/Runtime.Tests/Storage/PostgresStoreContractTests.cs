using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Tests.Storage;

/// <summary>The contract on a fresh PostgreSQL database for this class; fresh storage is a new schema in it.</summary>
public sealed class PostgresStoreContractTests(PostgresDatabase database) : DurableStoreContract, IClassFixture<PostgresDatabase>
{
    protected override IDurableStore CreateStore() =>
        new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance);

    protected override Func<IDurableStore> CreateFreshStorage()
    {
        var options = new PostgresStoreOptions { Schema = "fresh_" + Guid.NewGuid().ToString("N")[..12] };
        return () => new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance, options);
    }

    [Fact]
    public async Task The_schema_records_its_version_and_keeps_keys_unique()
    {
        Assert.Equal(1, await database.ScalarAsync<int>("SELECT MAX(version) FROM aractors.schema_version"));
        Assert.Equal(1, await database.ScalarAsync<int>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'aractors' AND tablename = 'grain_state' AND indexdef LIKE 'CREATE UNIQUE INDEX%'"));
        Assert.Equal(1, await database.ScalarAsync<int>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'aractors' AND indexname = 'reminders_due'"));
    }

    [Fact]
    public async Task Sub_microsecond_times_are_truncated_consistently_so_keyset_paging_stays_exact()
    {
        var grainType = NewGrainType();
        var due = new DateTimeOffset(2020, 3, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var stored = await Store.UpsertAsync(new ReminderEntry(grainType, "g", "r", 1, due, TimeSpan.FromTicks(15), due));

        var read = (await Store.ReadForGrainAsync(grainType, "g")).Single();

        Assert.Equal(stored.NextDue, read.NextDue);
        Assert.Equal(stored.Period, read.Period);
        Assert.Empty(await Store.ReadDueAsync(due, new HashRange(1, 1), 10, after: read));
    }
}
