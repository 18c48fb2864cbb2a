using ArActors.Runtime.Clustering.Postgres;
using Npgsql;

namespace ArActors.Runtime.Clustering.Leases;

/// <summary>
/// <see cref="ILeaseTable"/> in PostgreSQL: table <c>leases(name, holder, generation, expires)</c> beside the membership
/// table (its migration 2). An acquisition is one <c>INSERT ... ON CONFLICT DO UPDATE ... WHERE</c>: concurrent takers
/// block on the row and re-check the condition against the committed row, so one wins per generation.
/// </summary>
public sealed class PostgresLeaseTable : ILeaseTable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    public PostgresLeaseTable(string connectionString, string schema = "aractors")
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _schema = schema;
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        PostgresMembershipSchema.ApplyAsync(_dataSource, _schema, cancellationToken);

    public async Task<Lease?> TryAcquireAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, IReadOnlyCollection<string> deadHolders, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"""
            INSERT INTO {_schema}.leases AS l (name, holder, generation, expires) VALUES ($1, $2, 1, $4)
            ON CONFLICT (name) DO UPDATE SET
                holder = EXCLUDED.holder,
                generation = CASE WHEN l.holder = EXCLUDED.holder AND l.expires > $3 THEN l.generation ELSE l.generation + 1 END,
                expires = EXCLUDED.expires
            WHERE (l.holder = EXCLUDED.holder AND l.expires > $3) OR l.expires <= $3 OR l.holder = ANY($5)
            RETURNING l.generation, l.expires
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holder });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + duration });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. deadHolders] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Lease(name, holder, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    public async Task<bool> RenewAsync(string name, string holder, long generation, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            $"UPDATE {_schema}.leases SET expires = $5 WHERE name = $1 AND holder = $2 AND generation = $3 AND expires > $4");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holder });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = generation });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + duration });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task ReleaseAsync(string name, string holder, long generation, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(
            $"UPDATE {_schema}.leases SET expires = $4 WHERE name = $1 AND holder = $2 AND generation = $3");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holder });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = generation });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.UnixEpoch });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Lease?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT holder, generation, expires FROM {_schema}.leases WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Lease(name, reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2))
            : null;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
