using Npgsql;

namespace ArActors.TestKit;

/// <summary>
/// A fresh, empty PostgreSQL database for one test class (use as <c>IClassFixture&lt;PostgresDatabase&gt;</c>).
/// The server comes from <c>ARACTORS_TEST_PG</c>, which ./test.sh exports after starting a throwaway cluster.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public const string ServerVariable = "ARACTORS_TEST_PG";

    private readonly string _serverConnectionString;

    public PostgresDatabase()
    {
        _serverConnectionString = Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ServerVariable} is not set. Run ./test.sh, which starts PostgreSQL and sets it, " +
                $"or export {ServerVariable}='Host=127.0.0.1;Port=...;Username=...' yourself.");
        DatabaseName = "t_" + Guid.NewGuid().ToString("N")[..20];
        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    public string DatabaseName { get; }

    /// <summary>Connection string of this class's own database.</summary>
    public string ConnectionString { get; }

    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a scalar query against this class's database, for tests that check the store directly.</summary>
    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
