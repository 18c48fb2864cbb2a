using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ArActors.Runtime.Storage.Sqlite;

/// <summary>
/// Embedded durable store on one SQLite file (WAL, synchronous=FULL). All writes go through a single writer loop
/// that commits everything pending in one BEGIN IMMEDIATE transaction (group commit); reads use their own pooled
/// connections, which WAL lets run alongside the writer.
/// </summary>
public sealed class SqliteStore : GroupCommitStore, IDurableStore
{
    private const int MaxBatch = 1024;

    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteStore> _logger;
    private readonly string _connectionString;
    private readonly Dictionary<string, SqliteCommand> _writerCommands = new(StringComparer.Ordinal);
    private SqliteConnection? _writerConnection;

    /// <param name="pathOrConnectionString">A file path, or a Microsoft.Data.Sqlite connection string ("Data Source=...").</param>
    public SqliteStore(string pathOrConnectionString, TimeProvider timeProvider, ILogger<SqliteStore> logger)
        : base(writerLoops: 1, MaxBatch, logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrConnectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _timeProvider = timeProvider;
        _logger = logger;
        var builder = pathOrConnectionString.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder(pathOrConnectionString)
            : new SqliteConnectionStringBuilder { DataSource = pathOrConnectionString };
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:")
        {
            throw new ArgumentException("SqliteStore needs a database file; in-memory SQLite cannot be shared by the writer and readers.", nameof(pathOrConnectionString));
        }

        builder.DataSource = Path.GetFullPath(builder.DataSource);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        // Command timeout doubles as the busy wait when another process holds the write lock.
        builder.DefaultTimeout = 30;
        _connectionString = builder.ConnectionString;
        FilePath = builder.DataSource;
    }

    public override string ProviderName => "sqlite";

    /// <summary>Absolute path of the database file.</summary>
    public string FilePath { get; }

    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var folder = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(folder))
        {
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException(
                    $"SQLite store: cannot create the folder '{folder}' for database '{FilePath}': {exception.Message}", exception);
            }
        }

        try
        {
            using var connection = OpenConnection(forWriting: true);
            SqliteSchema.Apply(connection, _timeProvider.GetUtcNow().UtcTicks);
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode is 14 or 8 or 23)
        {
            // SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_AUTH: say which file and why rather than "unable to open database file".
            throw new InvalidOperationException(
                $"SQLite store: cannot open or write the database file '{FilePath}' (is its folder writable?): {exception.Message}", exception);
        }

        MarkInitialized();
        _logger.LogInformation("SQLite store ready at {Path} (schema version {Version}).", FilePath, SqliteSchema.LatestVersion);
        return Task.CompletedTask;
    }

    public Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var connection = OpenConnection(forWriting: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        command.ExecuteScalar();
        return Task.CompletedTask;
    }

    public Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default)
    {
        StoreInput.StateId(id);
        using var connection = OpenConnection(forWriting: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, etag FROM aractors_grain_state WHERE grain_type = $t AND grain_key = $k AND state_name = $n";
        command.Parameters.AddWithValue("$t", id.GrainType);
        command.Parameters.AddWithValue("$k", id.GrainKey);
        command.Parameters.AddWithValue("$n", id.StateName);
        using var reader = command.ExecuteReader();
        StoredState? state = reader.Read() ? new StoredState(ReadBlob(reader, 0), reader.GetString(1)) : null;
        return Task.FromResult(state);
    }

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        StoreInput.Key(topic, nameof(topic));
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = OpenConnection(forWriting: false);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence, event_type, source_grain_type, source_grain_key, payload, created_at
            FROM aractors_events WHERE topic = $topic AND sequence > $after ORDER BY sequence LIMIT $limit
            """;
        command.Parameters.AddWithValue("$topic", topic);
        command.Parameters.AddWithValue("$after", afterSequence);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var events = new List<StoredEvent>();
        while (reader.Read())
        {
            events.Add(new StoredEvent(
                topic, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                ReadBlob(reader, 4), FromTicks(reader.GetInt64(5))));
        }

        return Task.FromResult<IReadOnlyList<StoredEvent>>(events);
    }

    public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default)
    {
        StoreInput.Key(topic, nameof(topic));
        using var connection = OpenConnection(forWriting: false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT last_sequence FROM aractors_topic_sequences WHERE topic = $topic";
        command.Parameters.AddWithValue("$topic", topic);
        return Task.FromResult(command.ExecuteScalar() is long last ? last : 0L);
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default)
    {
        StoreInput.Key(grainType, nameof(grainType));
        StoreInput.Key(grainKey, nameof(grainKey));
        using var connection = OpenConnection(forWriting: false);
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT grain_type, grain_key, name, hash, first_due, period, next_due, etag
            FROM aractors_reminders WHERE grain_type = $t AND grain_key = $k ORDER BY name
            """;
        command.Parameters.AddWithValue("$t", grainType);
        command.Parameters.AddWithValue("$k", grainKey);
        return Task.FromResult(ReadReminders(command));
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(
        DateTimeOffset dueBefore,
        HashRange range,
        int limit,
        ReminderEntry? after = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var connection = OpenConnection(forWriting: false);
        using var command = connection.CreateCommand();
        var hashFilter = range.From <= range.To ? "hash BETWEEN $from AND $to" : "(hash >= $from OR hash <= $to)";
        var keyset = after is null ? "" : "AND (next_due, grain_type, grain_key, name) > ($afterDue, $afterType, $afterKey, $afterName)";
        command.CommandText = $"""
            SELECT grain_type, grain_key, name, hash, first_due, period, next_due, etag
            FROM aractors_reminders
            WHERE next_due <= $due AND {hashFilter} {keyset}
            ORDER BY next_due, grain_type, grain_key, name
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$due", dueBefore.UtcTicks);
        command.Parameters.AddWithValue("$from", (long)range.From);
        command.Parameters.AddWithValue("$to", (long)range.To);
        command.Parameters.AddWithValue("$limit", limit);
        if (after is not null)
        {
            command.Parameters.AddWithValue("$afterDue", after.NextDue.UtcTicks);
            command.Parameters.AddWithValue("$afterType", after.GrainType);
            command.Parameters.AddWithValue("$afterKey", after.GrainKey);
            command.Parameters.AddWithValue("$afterName", after.Name);
        }

        return Task.FromResult(ReadReminders(command));
    }

    protected override ValueTask DisposeResourcesAsync()
    {
        CloseWriterConnection();
        return ValueTask.CompletedTask;
    }

    private protected override BatchFailure Classify(Exception exception) => exception switch
    {
        // SQLITE_BUSY / SQLITE_LOCKED: another process held the write lock past the busy timeout.
        SqliteException { SqliteErrorCode: 5 or 6 } => BatchFailure.Retry,
        // SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE: one statement's data was rejected.
        SqliteException { SqliteErrorCode: 18 or 19 or 20 or 25 } => BatchFailure.Isolate,
        _ => BatchFailure.FailAll,
    };

    private static DateTimeOffset FromTicks(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    private static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    private static IReadOnlyList<ReminderEntry> ReadReminders(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var entries = new List<ReminderEntry>();
        while (reader.Read())
        {
            entries.Add(new ReminderEntry(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), (uint)reader.GetInt64(3),
                FromTicks(reader.GetInt64(4)), new TimeSpan(reader.GetInt64(5)), FromTicks(reader.GetInt64(6)), reader.GetString(7)));
        }

        return entries;
    }

    private SqliteConnection OpenConnection(bool forWriting)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            if (forWriting)
            {
                // WAL lets readers run beside the writer; FULL makes a returned commit survive power loss.
                using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA busy_timeout=30000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
                pragma.ExecuteNonQuery();
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private protected override Task CommitBatchAsync(IReadOnlyList<GroupCommitOperation> batch, CancellationToken cancellationToken)
    {
        _writerConnection ??= OpenConnection(forWriting: true);
        var inTransaction = false;
        try
        {
            Execute("BEGIN IMMEDIATE");
            inTransaction = true;
            var now = _timeProvider.GetUtcNow().UtcTicks;
            foreach (var operation in batch)
            {
                switch (operation)
                {
                    case WriteStateOperation write:
                        ExecuteWrite(write, now);
                        break;
                    case ClearStateOperation clear:
                        ExecuteClear(clear);
                        break;
                    case AppendEventsOperation append:
                        append.CommittedEvents = AppendEvents(append.Events);
                        break;
                    case UpsertReminderOperation upsert:
                        ExecuteUpsertReminder(upsert);
                        break;
                    case ReminderChangeOperation change:
                        ExecuteReminderChange(change);
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown store operation {operation.GetType().Name}.");
                }
            }

            Execute("COMMIT");
            inTransaction = false;
            return Task.CompletedTask;
        }
        catch
        {
            if (inTransaction)
            {
                TryRollback();
            }

            throw;
        }
    }

    private void ExecuteWrite(WriteStateOperation write, long now)
    {
        var id = write.Id;
        var changed = write.ExpectedEtag is null
            ? Execute(
                """
                INSERT INTO aractors_grain_state (grain_type, grain_key, state_name, payload, etag, updated_at)
                VALUES ($p0, $p1, $p2, $p3, $p4, $p5) ON CONFLICT DO NOTHING
                """,
                id.GrainType, id.GrainKey, id.StateName, write.Payload, write.NewEtag, now)
            : Execute(
                """
                UPDATE aractors_grain_state SET payload = $p3, etag = $p4, updated_at = $p5
                WHERE grain_type = $p0 AND grain_key = $p1 AND state_name = $p2 AND etag = $p6
                """,
                id.GrainType, id.GrainKey, id.StateName, write.Payload, write.NewEtag, now, write.ExpectedEtag);
        if (changed == 0)
        {
            write.Conflict = new InconsistentStateException(id, write.ExpectedEtag, CurrentEtag(id));
            return;
        }

        foreach (var reminder in write.Reminders)
        {
            if (reminder is UpsertReminderOperation upsert)
            {
                ExecuteUpsertReminder(upsert);
            }
            else
            {
                ExecuteReminderChange((ReminderChangeOperation)reminder);
            }
        }

        write.CommittedEvents = AppendEvents(write.Events);
    }

    private void ExecuteClear(ClearStateOperation clear)
    {
        var id = clear.Id;
        if (clear.ExpectedEtag is null)
        {
            // Clearing with "no row expected" succeeds only when there is indeed no row.
            var current = CurrentEtag(id);
            if (current is not null)
            {
                clear.Conflict = new InconsistentStateException(id, null, current);
            }

            return;
        }

        var deleted = Execute(
            "DELETE FROM aractors_grain_state WHERE grain_type = $p0 AND grain_key = $p1 AND state_name = $p2 AND etag = $p3",
            id.GrainType, id.GrainKey, id.StateName, clear.ExpectedEtag);
        if (deleted == 0)
        {
            clear.Conflict = new InconsistentStateException(id, clear.ExpectedEtag, CurrentEtag(id));
        }
    }

    private List<StoredEvent> AppendEvents(IReadOnlyList<EventDraft> drafts)
    {
        var stored = new List<StoredEvent>(drafts.Count);
        foreach (var draft in drafts)
        {
            // The single writer makes the counter increment and the insert one step: sequence order is commit order.
            var sequence = (long)Command(
                """
                INSERT INTO aractors_topic_sequences (topic, last_sequence) VALUES ($p0, 1)
                ON CONFLICT (topic) DO UPDATE SET last_sequence = last_sequence + 1
                RETURNING last_sequence
                """,
                draft.Topic).ExecuteScalar()!;
            var timestamp = draft.Timestamp.UtcTicks;
            Execute(
                """
                INSERT INTO aractors_events (topic, sequence, event_type, source_grain_type, source_grain_key, payload, created_at)
                VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6)
                """,
                draft.Topic, sequence, draft.EventType, draft.SourceGrainType, draft.SourceGrainKey, draft.Payload.ToArray(), timestamp);
            stored.Add(new StoredEvent(
                draft.Topic, sequence, draft.EventType, draft.SourceGrainType, draft.SourceGrainKey, draft.Payload, FromTicks(timestamp)));
        }

        return stored;
    }

    private void ExecuteUpsertReminder(UpsertReminderOperation upsert)
    {
        var e = upsert.Entry;
        Execute(
            """
            INSERT INTO aractors_reminders (grain_type, grain_key, name, hash, first_due, period, next_due, etag)
            VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7)
            ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET
                hash = excluded.hash, first_due = excluded.first_due, period = excluded.period,
                next_due = excluded.next_due, etag = excluded.etag
            """,
            e.GrainType, e.GrainKey, e.Name, (long)e.Hash, e.FirstDue.UtcTicks, e.Period.Ticks, e.NextDue.UtcTicks, e.Etag);
    }

    private void ExecuteReminderChange(ReminderChangeOperation change)
    {
        change.Changed = change.NextDue is { } nextDue
            ? Execute(
                """
                UPDATE aractors_reminders SET next_due = $p3, etag = $p4
                WHERE grain_type = $p0 AND grain_key = $p1 AND name = $p2 AND etag = $p5
                """,
                change.GrainType, change.GrainKey, change.Name, nextDue.UtcTicks, change.NewEtag, change.ExpectedEtag) > 0
            : Execute(
                "DELETE FROM aractors_reminders WHERE grain_type = $p0 AND grain_key = $p1 AND name = $p2",
                change.GrainType, change.GrainKey, change.Name) > 0;
    }

    private string? CurrentEtag(GrainStateId id) =>
        Command(
            "SELECT etag FROM aractors_grain_state WHERE grain_type = $p0 AND grain_key = $p1 AND state_name = $p2",
            id.GrainType, id.GrainKey, id.StateName).ExecuteScalar() as string;

    private int Execute(string sql, params object?[] values) => Command(sql, values).ExecuteNonQuery();

    /// <summary>Writer commands are cached per SQL text so SQLite keeps their prepared statements across batches.</summary>
    private SqliteCommand Command(string sql, params object?[] values)
    {
        if (!_writerCommands.TryGetValue(sql, out var command))
        {
            command = _writerConnection!.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), null));
            }

            _writerCommands[sql] = command;
        }

        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }

    private void TryRollback()
    {
        try
        {
            Execute("ROLLBACK");
        }
        catch (Exception exception)
        {
            // A connection that cannot even roll back is replaced before the next batch.
            _logger.LogWarning(exception, "SQLite rollback failed; reopening the writer connection.");
            CloseWriterConnection();
        }
    }

    private void CloseWriterConnection()
    {
        foreach (var command in _writerCommands.Values)
        {
            command.Dispose();
        }

        _writerCommands.Clear();
        _writerConnection?.Dispose();
        _writerConnection = null;
    }
}
