using System.Collections.Immutable;
using Npgsql;
using NpgsqlTypes;

namespace ArActors.Runtime.Clustering.Postgres;

/// <summary>
/// <see cref="IMembershipTable"/> in PostgreSQL. The table version is one row that every insert or update bumps with
/// "WHERE version = expected" in the same transaction as the row change: under READ COMMITTED a concurrent writer
/// waits for the row lock, re-checks the predicate against the new version and matches nothing, so exactly one
/// writer wins per version. Heartbeats update only i_am_alive, so they neither bump versions nor overwrite votes.
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    public PostgresMembershipTable(string connectionString, string schema = "aractors")
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _schema = schema;
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        PostgresMembershipSchema.ApplyAsync(_dataSource, _schema, cancellationToken);

    public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        // One statement, one snapshot: the version and the rows are consistent with each other.
        await using var command = _dataSource.CreateCommand($"""
            SELECT v.version, m.endpoint, m.generation, m.status, m.start_time, m.i_am_alive,
                   m.suspect_endpoints, m.suspect_generations, m.suspect_times, m.row_version
            FROM {_schema}.membership_version v
            LEFT JOIN {_schema}.membership m ON true
            WHERE v.id = 0
            ORDER BY m.endpoint, m.generation
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        long version = 0;
        var rows = ImmutableArray.CreateBuilder<MembershipRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            version = reader.GetInt64(0);
            if (reader.IsDBNull(1))
            {
                continue;
            }

            var endpoints = reader.GetFieldValue<string[]>(6);
            var generations = reader.GetFieldValue<long[]>(7);
            var times = reader.GetFieldValue<DateTime[]>(8);
            var entry = new MembershipEntry(
                new SiloAddress(reader.GetString(1), reader.GetInt64(2)),
                (SiloStatus)reader.GetInt16(3),
                ToOffset(reader.GetFieldValue<DateTime>(4)),
                ToOffset(reader.GetFieldValue<DateTime>(5)),
                [.. endpoints.Select((e, i) => new SuspicionVote(new SiloAddress(e, generations[i]), ToOffset(times[i])))]);
            rows.Add(new MembershipRow(entry, reader.GetInt64(9)));
        }

        return new MembershipTableData(version, rows.ToImmutable());
    }

    public async Task<bool> InsertRowAsync(MembershipEntry entry, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await BumpVersionAsync(connection, transaction, expectedTableVersion, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await using var insert = new NpgsqlCommand($"""
            INSERT INTO {_schema}.membership
                (endpoint, generation, status, start_time, i_am_alive, suspect_endpoints, suspect_generations, suspect_times, row_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
            ON CONFLICT (endpoint, generation) DO NOTHING
            """, connection, transaction);
        AddEntryParameters(insert, entry);
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.StartTime });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.IAmAlive });
        AddVoteParameters(insert, entry);
        if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> UpdateRowAsync(MembershipEntry entry, long expectedRowVersion, long expectedTableVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!await BumpVersionAsync(connection, transaction, expectedTableVersion, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await using var update = new NpgsqlCommand($"""
            UPDATE {_schema}.membership
            SET status = $3, suspect_endpoints = $4, suspect_generations = $5, suspect_times = $6, row_version = row_version + 1
            WHERE endpoint = $1 AND generation = $2 AND row_version = $7 AND status <> {(int)SiloStatus.Dead}
            """, connection, transaction);
        AddEntryParameters(update, entry);
        AddVoteParameters(update, entry);
        update.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expectedRowVersion });
        if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset iAmAlive, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"UPDATE {_schema}.membership SET i_am_alive = $3 WHERE endpoint = $1 AND generation = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = silo.Endpoint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = silo.Generation });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = iAmAlive });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> DeleteDeadRowsAsync(DateTimeOffset heartbeatBefore, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"DELETE FROM {_schema}.membership WHERE status = $1 AND i_am_alive < $2");
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)SiloStatus.Dead });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = heartbeatBefore });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task<bool> BumpVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long expected, CancellationToken cancellationToken)
    {
        await using var bump = new NpgsqlCommand(
            $"UPDATE {_schema}.membership_version SET version = version + 1 WHERE id = 0 AND version = $1", connection, transaction);
        bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected });
        return await bump.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static void AddEntryParameters(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Silo.Endpoint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.Silo.Generation });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Status });
    }

    private static void AddVoteParameters(NpgsqlCommand command, MembershipEntry entry)
    {
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. entry.Suspicions.Select(v => v.Voter.Endpoint)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. entry.Suspicions.Select(v => v.Voter.Generation)] });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. entry.Suspicions.Select(v => v.At.UtcDateTime)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
    }

    private static DateTimeOffset ToOffset(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}
