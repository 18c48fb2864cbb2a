using System.Diagnostics;
using System.Globalization;
using ArActors.Runtime;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace ArActors.Bench.Reminders;

/// <summary>
/// The start-up data set: <c>count</c> daily reminders of invoice grains (ten per customer, hashed by customer), a tenth
/// of them due within the first look-ahead window after <see cref="Start"/>, the rest spread over the next 30 days.
/// </summary>
internal sealed class ReminderRows(int count, TimeSpan lookAhead)
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public int Count => count;

    public int InWindow => count / 10;

    /// <summary>The last instant the runtime's first refill reads (now + look-ahead).</summary>
    public DateTimeOffset Horizon => Start + lookAhead;

    public IEnumerable<ReminderEntry> Generate()
    {
        var random = new Random(20261201);
        var period = TimeSpan.FromDays(1);
        var hash = 0u;
        for (var i = 0; i < count; i++)
        {
            var customer = "cust-" + (i / 10).ToString("D6", CultureInfo.InvariantCulture);
            if (i % 10 == 0)
            {
                hash = GrainHash.Of(customer);
            }

            // Window rows fall strictly after Start (nothing is overdue, so no tick fires while start-up is timed).
            var offsetMicros = i < InWindow
                ? 1_000_000 + random.NextInt64((long)(lookAhead.TotalMicroseconds - 2_000_000))
                : (long)(lookAhead.TotalMicroseconds + 60_000_000) + random.NextInt64((long)TimeSpan.FromDays(30).TotalMicroseconds);
            var due = Start.AddTicks(offsetMicros * 10);
            yield return new ReminderEntry(
                ReminderBenchSupport.TickGrainType, customer + "/inv-" + i.ToString("D7", CultureInfo.InvariantCulture), "aging",
                hash, due, period, due, Guid.NewGuid().ToString("N"));
        }
    }
}

/// <summary>One provider's side of the start-up benchmark: a raw bulk load into the runtime's own table and raw reads of it.</summary>
internal interface IReminderTableFixture : IAsyncDisposable
{
    string Provider { get; }

    /// <summary>A store over the fixture's schema/file, as the silo would open it.</summary>
    IDurableStore CreateStore(TimeProvider clock);

    Task BulkLoadAsync(ReminderRows rows);

    Task<long> RawCountAsync();

    /// <summary>Keyset-paged read of the due window in (next_due, key) order, pages of <paramref name="pageSize"/>, up to <paramref name="limit"/> rows.</summary>
    Task<int> RawReadWindowAsync(DateTimeOffset horizon, int pageSize, int limit);
}

internal sealed class PostgresReminderTable(string connectionString) : IReminderTableFixture
{
    private readonly string _schema = ReminderBenchSupport.NewSchema();
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public string Provider => "postgres";

    public IDurableStore CreateStore(TimeProvider clock) =>
        new PostgresStore(connectionString, clock, NullLogger<PostgresStore>.Instance, new PostgresStoreOptions { Schema = _schema });

    public async Task BulkLoadAsync(ReminderRows rows)
    {
        // The runtime creates its own schema; the rows go straight into its table.
        await using (var store = CreateStore(TimeProvider.System))
        {
            await store.InitializeAsync();
        }

        await using var connection = await _dataSource.OpenConnectionAsync();
        await using (var importer = await connection.BeginBinaryImportAsync(
            $"COPY {_schema}.reminders (grain_type, grain_key, name, hash, first_due, period, next_due, etag) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows.Generate())
            {
                await importer.StartRowAsync();
                await importer.WriteAsync(row.GrainType, NpgsqlDbType.Text);
                await importer.WriteAsync(row.GrainKey, NpgsqlDbType.Text);
                await importer.WriteAsync(row.Name, NpgsqlDbType.Text);
                await importer.WriteAsync((long)row.Hash, NpgsqlDbType.Bigint);
                await importer.WriteAsync(row.FirstDue.UtcDateTime, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(row.Period, NpgsqlDbType.Interval);
                await importer.WriteAsync(row.NextDue.UtcDateTime, NpgsqlDbType.TimestampTz);
                await importer.WriteAsync(row.Etag!, NpgsqlDbType.Text);
            }

            await importer.CompleteAsync();
        }

        // What autovacuum would have done by the time a silo restarts over an old table.
        await using var analyze = new NpgsqlCommand($"VACUUM ANALYZE {_schema}.reminders", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    public async Task<long> RawCountAsync()
    {
        await using var command = _dataSource.CreateCommand($"SELECT count(*) FROM {_schema}.reminders");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows due at or before <paramref name="due"/>: after a burst at that instant, those not advanced yet.</summary>
    public async Task<long> RawNotAdvancedAsync(DateTimeOffset due)
    {
        await using var command = _dataSource.CreateCommand($"SELECT count(*) FROM {_schema}.reminders WHERE next_due <= $1");
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = due.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// The batch experiment's write: each row moved to its own next due time if it still has its ETag, one statement for
    /// the batch; returns the keys it moved (the others were re-registered or removed, as a per-row advance reports).
    /// </summary>
    public async Task<HashSet<(string, string, string)>> AdvanceBatchAsync(IReadOnlyList<(ReminderEntry Entry, DateTimeOffset Next, string Etag)> batch)
    {
        await using var update = _dataSource.CreateCommand($"""
            UPDATE {_schema}.reminders r SET next_due = v.next_due
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS v(grain_type, grain_key, name, etag, next_due)
            WHERE r.grain_type = v.grain_type AND r.grain_key = v.grain_key AND r.name = v.name AND r.etag = v.etag
            RETURNING r.grain_type, r.grain_key, r.name
            """);
        foreach (var column in new Func<(ReminderEntry Entry, DateTimeOffset Next, string Etag), string>[] { b => b.Entry.GrainType, b => b.Entry.GrainKey, b => b.Entry.Name, b => b.Etag })
        {
            update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(column)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        }

        update.Parameters.Add(new NpgsqlParameter<DateTime[]>
        {
            TypedValue = [.. batch.Select(b => new DateTime(b.Next.UtcTicks - (b.Next.UtcTicks % 10), DateTimeKind.Utc))],
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        var moved = new HashSet<(string, string, string)>();
        await using var reader = await update.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            moved.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return moved;
    }

    /// <summary>
    /// Baseline for the runtime's advances: every row moved on by its period in one set-based statement, each matched by
    /// its key and ETag as the runtime's per-row advance is (keys and ETags read first, not timed). Returns (ms, rows).
    /// </summary>
    public async Task<(double Ms, int Rows)> RawAdvanceAllAsync()
    {
        var (types, keys, names, etags) = (new List<string>(), new List<string>(), new List<string>(), new List<string>());
        await using (var read = _dataSource.CreateCommand($"SELECT grain_type, grain_key, name, etag FROM {_schema}.reminders"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                types.Add(reader.GetString(0));
                keys.Add(reader.GetString(1));
                names.Add(reader.GetString(2));
                etags.Add(reader.GetString(3));
            }
        }

        await using var update = _dataSource.CreateCommand($"""
            UPDATE {_schema}.reminders r SET next_due = r.next_due + r.period
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(grain_type, grain_key, name, etag)
            WHERE r.grain_type = v.grain_type AND r.grain_key = v.grain_key AND r.name = v.name AND r.etag = v.etag
            """);
        foreach (var column in new[] { types, keys, names, etags })
        {
            update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. column], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        }

        var started = Stopwatch.StartNew();
        var rows = await update.ExecuteNonQueryAsync();
        return (started.Elapsed.TotalMilliseconds, rows);
    }

    public async Task<int> RawReadWindowAsync(DateTimeOffset horizon, int pageSize, int limit)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var first = new NpgsqlCommand($"""
            SELECT grain_type, grain_key, name, hash, first_due, period, next_due, etag FROM {_schema}.reminders
            WHERE next_due <= $1 ORDER BY next_due, grain_type, grain_key, name LIMIT $2
            """, connection);
        first.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = horizon.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        first.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize });
        await using var next = new NpgsqlCommand($"""
            SELECT grain_type, grain_key, name, hash, first_due, period, next_due, etag FROM {_schema}.reminders
            WHERE next_due <= $1 AND (next_due, grain_type, grain_key, name) > ($3, $4, $5, $6)
            ORDER BY next_due, grain_type, grain_key, name LIMIT $2
            """, connection);
        var due = new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        var type = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text };
        var key = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text };
        var name = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text };
        next.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = horizon.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        next.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize });
        next.Parameters.Add(due);
        next.Parameters.Add(type);
        next.Parameters.Add(key);
        next.Parameters.Add(name);

        var read = 0;
        var command = first;
        while (read < limit)
        {
            var inPage = 0;
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    type.TypedValue = reader.GetString(0);
                    key.TypedValue = reader.GetString(1);
                    name.TypedValue = reader.GetString(2);
                    _ = reader.GetInt64(3);
                    _ = reader.GetFieldValue<DateTimeOffset>(4);
                    _ = reader.GetFieldValue<TimeSpan>(5);
                    due.TypedValue = reader.GetFieldValue<DateTime>(6);
                    _ = reader.GetString(7);
                    inPage++;
                }
            }

            read += inPage;
            if (inPage < pageSize)
            {
                break;
            }

            command = next;
        }

        return read;
    }

    public async ValueTask DisposeAsync()
    {
        await ReminderBenchSupport.DropSchemaAsync(connectionString, _schema);
        await _dataSource.DisposeAsync();
    }
}

internal sealed class SqliteReminderTable : IReminderTableFixture
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aractors-bench-" + Guid.NewGuid().ToString("N")[..12]);

    public SqliteReminderTable() => Directory.CreateDirectory(_folder);

    private string DataSource => $"Data Source={Path.Combine(_folder, "store.db")}";

    public string Provider => "sqlite";

    public IDurableStore CreateStore(TimeProvider clock) => new SqliteStore(DataSource, clock, NullLogger<SqliteStore>.Instance);

    public async Task BulkLoadAsync(ReminderRows rows)
    {
        await using (var store = CreateStore(TimeProvider.System))
        {
            await store.InitializeAsync();
        }

        using var connection = new SqliteConnection(DataSource);
        connection.Open();
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO aractors_reminders (grain_type, grain_key, name, hash, first_due, period, next_due, etag)
                VALUES ($type, $key, $name, $hash, $first, $period, $next, $etag)
                """;
            var parameters = new[] { "$type", "$key", "$name", "$hash", "$first", "$period", "$next", "$etag" }
                .Select(p => insert.Parameters.Add(p, p is "$type" or "$key" or "$name" or "$etag" ? SqliteType.Text : SqliteType.Integer)).ToArray();
            insert.Prepare();
            foreach (var row in rows.Generate())
            {
                parameters[0].Value = row.GrainType;
                parameters[1].Value = row.GrainKey;
                parameters[2].Value = row.Name;
                parameters[3].Value = (long)row.Hash;
                parameters[4].Value = row.FirstDue.UtcTicks;
                parameters[5].Value = row.Period.Ticks;
                parameters[6].Value = row.NextDue.UtcTicks;
                parameters[7].Value = row.Etag;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        analyze.ExecuteNonQuery();
    }

    public Task<long> RawCountAsync()
    {
        using var connection = new SqliteConnection(DataSource);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM aractors_reminders";
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    public Task<int> RawReadWindowAsync(DateTimeOffset horizon, int pageSize, int limit)
    {
        using var connection = new SqliteConnection(DataSource);
        connection.Open();
        using var first = connection.CreateCommand();
        first.CommandText = """
            SELECT grain_type, grain_key, name, hash, first_due, period, next_due, etag FROM aractors_reminders
            WHERE next_due <= $due ORDER BY next_due, grain_type, grain_key, name LIMIT $limit
            """;
        first.Parameters.AddWithValue("$due", horizon.UtcTicks);
        first.Parameters.AddWithValue("$limit", pageSize);
        using var next = connection.CreateCommand();
        next.CommandText = """
            SELECT grain_type, grain_key, name, hash, first_due, period, next_due, etag FROM aractors_reminders
            WHERE next_due <= $due AND (next_due, grain_type, grain_key, name) > ($afterDue, $afterType, $afterKey, $afterName)
            ORDER BY next_due, grain_type, grain_key, name LIMIT $limit
            """;
        next.Parameters.AddWithValue("$due", horizon.UtcTicks);
        next.Parameters.AddWithValue("$limit", pageSize);
        var afterDue = next.Parameters.Add("$afterDue", SqliteType.Integer);
        var afterType = next.Parameters.Add("$afterType", SqliteType.Text);
        var afterKey = next.Parameters.Add("$afterKey", SqliteType.Text);
        var afterName = next.Parameters.Add("$afterName", SqliteType.Text);

        var read = 0;
        var command = first;
        while (read < limit)
        {
            var inPage = 0;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    afterType.Value = reader.GetString(0);
                    afterKey.Value = reader.GetString(1);
                    afterName.Value = reader.GetString(2);
                    _ = reader.GetInt64(3);
                    _ = reader.GetInt64(4);
                    _ = reader.GetInt64(5);
                    afterDue.Value = reader.GetInt64(6);
                    _ = reader.GetString(7);
                    inPage++;
                }
            }

            read += inPage;
            if (inPage < pageSize)
            {
                break;
            }

            command = next;
        }

        return Task.FromResult(read);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
