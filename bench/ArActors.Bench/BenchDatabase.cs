using Npgsql;

namespace ArActors.Bench;

/// <summary>A database of its own on the benchmark's PostgreSQL server for one run, dropped (with its connections) on dispose.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 100 }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string server, string prefix)
    {
        var database = new BenchDatabase(server, prefix + Guid.NewGuid().ToString("N")[..8]);
        await ExecuteAsync(server, $"CREATE DATABASE {database._name}");
        return database;
    }

    /// <summary>One statement on its own connection.</summary>
    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }
}
