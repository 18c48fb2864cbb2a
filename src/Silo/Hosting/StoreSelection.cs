using Microsoft.Data.Sqlite;
using Npgsql;

namespace ArActors.Silo.Hosting;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>Which durable store this process uses: PostgreSQL when <c>ConnectionStrings:Postgres</c> is set, else SQLite under the data folder.</summary>
public sealed record StoreSelection(StoreKind Kind, string ConnectionString, string Description)
{
    public const string PostgresConnectionName = "Postgres";
    public const string SqliteFileName = "aractors.db";

    public static StoreSelection From(IConfiguration configuration, ArActorsOptions options, string contentRoot)
    {
        var postgres = configuration.GetConnectionString(PostgresConnectionName);
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            var builder = new NpgsqlConnectionStringBuilder(postgres);
            return new StoreSelection(StoreKind.Postgres, builder.ConnectionString, $"PostgreSQL at {builder.Host}:{builder.Port}/{builder.Database}");
        }

        // Relative to the content root, so the file does not move with the shell's working directory.
        var folder = Path.GetFullPath(options.DataDirectory, contentRoot);
        var file = Path.Combine(folder, SqliteFileName);
        var sqlite = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true };
        return new StoreSelection(StoreKind.Sqlite, sqlite.ConnectionString, $"SQLite at {file}");
    }
}
