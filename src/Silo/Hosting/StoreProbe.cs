using Microsoft.Data.Sqlite;
using Npgsql;

namespace ArActors.Silo.Hosting;

/// <summary>One raw round trip to the selected store, before the silo exists: the start-up check uses it.</summary>
public sealed class StoreProbe(StoreSelection selection)
{
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        if (selection.Kind == StoreKind.Postgres)
        {
            await using var connection = new NpgsqlConnection(selection.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return;
        }

        await using var sqlite = new SqliteConnection(selection.ConnectionString);
        await sqlite.OpenAsync(cancellationToken);
        await using var query = sqlite.CreateCommand();
        query.CommandText = "SELECT 1";
        await query.ExecuteScalarAsync(cancellationToken);
    }
}
