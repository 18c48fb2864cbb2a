using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Tests.Storage;

/// <summary>The contract on a SQLite file in a temp folder that is deleted afterwards.</summary>
public sealed class SqliteStoreContractTests : DurableProviderContract
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aractors-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    private string DatabasePath => Path.Combine(_folder, "store.db");

    protected override IDurableStore CreateStore() => new SqliteStore(DatabasePath, TimeProvider.System, NullLogger<SqliteStore>.Instance);

    protected override Func<IDurableStore> CreateFreshStorage()
    {
        // A connection string, and a folder that does not exist yet: both must be handled.
        var connectionString = $"Data Source={Path.Combine(_folder, "fresh-" + Guid.NewGuid().ToString("N")[..8], "store.db")}";
        return () => new SqliteStore(connectionString, TimeProvider.System, NullLogger<SqliteStore>.Instance);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        // Pooled connections keep the file open until the pool lets go of them.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_database_uses_wal_and_records_its_schema_version()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT MAX(version) FROM aractors_schema_version";
        Assert.Equal(1L, (long?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_unwritable_location_fails_initialization_with_a_message_naming_the_path()
    {
        // A folder cannot be created below a regular file, whoever runs the test.
        var blocker = Path.Combine(_folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        var path = Path.Combine(blocker, "sub", "store.db");
        await using var store = new SqliteStore(path, TimeProvider.System, NullLogger<SqliteStore>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync());

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_before_initialization_is_refused_with_a_clear_error()
    {
        await using var store = CreateFreshStorage()();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => store.WriteStateAsync(NewId(), Json("{}"), null, []));

        Assert.Contains("InitializeAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_transaction_fails_every_operation_in_it_fails_with_the_real_error_and_nothing_is_committed()
    {
        var store = (SqliteStore)Track(CreateFreshStorage()());
        await store.InitializeAsync();
        await ExecuteAsync(store.FilePath, "DROP TABLE aractors_events");
        var grainType = NewGrainType();
        var ids = Enumerable.Range(0, 40).Select(i => new GrainStateId(grainType, $"k{i}", "s")).ToList();

        var writes = ids.Select(id => store.WriteStateAsync(
            id, Json("{}"), null, [new EventDraft("t", "E", id.GrainType, id.GrainKey, Json("{}"), DateTimeOffset.UnixEpoch)])).ToList();

        foreach (var write in writes)
        {
            var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => write);
            Assert.Contains("no such table", error.Message, StringComparison.Ordinal);
        }

        foreach (var id in ids)
        {
            Assert.Null(await store.ReadStateAsync(id));
        }
    }

    [Fact]
    public async Task A_statement_sqlite_rejects_fails_only_its_own_operation()
    {
        var poisoned = NewTopic();
        // A row the counter does not know about: the next append to this topic hits a primary key violation.
        await ExecuteAsync(DatabasePath, $"INSERT INTO aractors_events VALUES ('{poisoned}', 1, 'E', 'S', 'k', x'00', 0)");
        var grainType = NewGrainType();

        var good = Enumerable.Range(0, 50).Select(i => Store.WriteStateAsync(
            new GrainStateId(grainType, $"k{i}", "s"), Json("{}"), null,
            [new EventDraft(poisoned + "-ok", "E", grainType, $"k{i}", Json("{}"), DateTimeOffset.UnixEpoch)])).ToList();
        var bad = Store.AppendAsync([new EventDraft(poisoned, "E", grainType, "bad", Json("{}"), DateTimeOffset.UnixEpoch)]);

        var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => bad);
        Assert.Equal(19, error.SqliteErrorCode);
        Assert.Equal(50, (await Task.WhenAll(good)).Length);
        Assert.Equal(50, await Store.GetLastSequenceAsync(poisoned + "-ok"));
        Assert.Equal(0, await Store.GetLastSequenceAsync(poisoned));
    }

    private static async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
