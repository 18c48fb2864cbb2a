using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace ArActors.Runtime.Storage.Postgres;

/// <summary>Tuning and placement of a <see cref="PostgresStore"/>.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Database schema holding the store's tables; created on <see cref="IDurableStore.InitializeAsync"/>.</summary>
    public string Schema { get; init; } = "aractors";

    /// <summary>Writer loops, each committing its own batch on its own connection while the others wait on I/O.</summary>
    public int WriterLoops { get; init; } = 3;

    /// <summary>Most operations one transaction takes from the queue.</summary>
    public int MaxBatch { get; init; } = 512;
}

/// <summary>
/// Cluster durable store on PostgreSQL. Writes are queued and several writer loops each take everything pending and
/// commit it as one transaction (group commit); per-row ETag checks are conditional statements whose row counts decide
/// each operation's outcome, so one conflict never fails or aborts the others. Reads go straight to the pool.
/// </summary>
public sealed partial class PostgresStore : GroupCommitStore, IDurableStore
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PostgresStore> _logger;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;
    private readonly PostgresSql _sql;

    public PostgresStore(string connectionString, TimeProvider timeProvider, ILogger<PostgresStore> logger, PostgresStoreOptions? options = null)
        : base((options ??= new PostgresStoreOptions()).WriterLoops, options.MaxBatch, logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (!SchemaName().IsMatch(options.Schema))
        {
            throw new ArgumentException($"Schema name '{options.Schema}' must be a plain lower-case identifier.", nameof(options));
        }

        _timeProvider = timeProvider;
        _logger = logger;
        _schema = options.Schema;
        _sql = new PostgresSql(_schema);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            // The writer's handful of statements run thousands of times: let Npgsql prepare them once per connection.
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
        }

        // Every read and every batch opens a pooled connection and closes it again (about 1,500 times a second under
        // the ingest benchmark). Npgsql's reset on close then prefixes the next command with seven statements (SET
        // SESSION AUTHORIZATION, RESET ALL, CLOSE ALL, UNLISTEN, advisory unlock, DISCARD SEQUENCES/TEMP) that the server
        // parses and runs each time. The store changes no session state (transactions end in COMMIT or ROLLBACK, its only
        // lock is transaction-scoped, LISTEN runs on the notifier's own data source), so there is nothing to reset.
        builder.NoResetOnClose = true;

        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string ProviderName => "postgres";

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await PostgresSchema.ApplyAsync(_dataSource, _schema, cancellationToken).ConfigureAwait(false);
        MarkInitialized();
        _logger.LogInformation("PostgreSQL store ready in schema {Schema} (schema version {Version}).", _schema, PostgresSchema.LatestVersion);
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredState?> ReadStateAsync(GrainStateId id, CancellationToken cancellationToken = default)
    {
        StoreInput.StateId(id);
        await using var command = _dataSource.CreateCommand(_sql.ReadState);
        AddText(command.Parameters, id.GrainType, id.GrainKey, id.StateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoredState(reader.GetFieldValue<byte[]>(0), reader.GetString(1))
            : null;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        StoreInput.Key(topic, nameof(topic));
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var command = _dataSource.CreateCommand(_sql.ReadEvents);
        AddText(command.Parameters, topic);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSequence });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new StoredEvent(
                topic, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return events;
    }

    public async Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default)
    {
        StoreInput.Key(topic, nameof(topic));
        await using var command = _dataSource.CreateCommand(_sql.LastSequence);
        AddText(command.Parameters, topic);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long last ? last : 0L;
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadForGrainAsync(string grainType, string grainKey, CancellationToken cancellationToken = default)
    {
        StoreInput.Key(grainType, nameof(grainType));
        StoreInput.Key(grainKey, nameof(grainKey));
        await using var command = _dataSource.CreateCommand(_sql.ReadRemindersForGrain);
        AddText(command.Parameters, grainType, grainKey);
        return await ReadRemindersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(
        DateTimeOffset dueBefore,
        HashRange range,
        int limit,
        ReminderEntry? after = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        await using var command = _dataSource.CreateCommand(_sql.ReadDue(wraps: range.From > range.To, keyset: after is not null));
        // Truncating the bound is exact: stored times are whole microseconds, so next_due <= trunc(x) iff next_due <= x.
        AddTime(command.Parameters, StoreInput.TruncateToMicroseconds(dueBefore));
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = range.From });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = range.To });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        if (after is not null)
        {
            AddTime(command.Parameters, StoreInput.TruncateToMicroseconds(after.NextDue));
            AddText(command.Parameters, after.GrainType, after.GrainKey, after.Name);
        }

        return await ReadRemindersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueInRangesAsync(
        DateTimeOffset dueBefore,
        IReadOnlyList<HashRange> ranges,
        int limit,
        ReminderEntry? after = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (ranges.Count == 0)
        {
            return [];
        }

        var (from, to) = ReminderRangeReads.AsSortedBounds(ranges);
        await using var command = _dataSource.CreateCommand(_sql.ReadDueInRanges(keyset: after is not null));
        AddTime(command.Parameters, StoreInput.TruncateToMicroseconds(dueBefore));
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = to });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        if (after is not null)
        {
            AddTime(command.Parameters, StoreInput.TruncateToMicroseconds(after.NextDue));
            AddText(command.Parameters, after.GrainType, after.GrainKey, after.Name);
        }

        return await ReadRemindersAsync(command, cancellationToken).ConfigureAwait(false);
    }

    // Stored with microsecond precision; returning the same values keeps written entries equal to what reads return.
    protected override ReminderEntry AsStored(ReminderEntry entry) => entry with
    {
        FirstDue = StoreInput.TruncateToMicroseconds(entry.FirstDue),
        NextDue = StoreInput.TruncateToMicroseconds(entry.NextDue),
        Period = StoreInput.TruncateToMicroseconds(entry.Period),
    };

    protected override DateTimeOffset AsStored(DateTimeOffset time) => StoreInput.TruncateToMicroseconds(time);

    protected override ValueTask DisposeResourcesAsync() => _dataSource.DisposeAsync();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    private protected override BatchFailure Classify(Exception exception) => exception switch
    {
        // Deadlock / serialization failure: the transaction was rolled back as a whole and can simply run again.
        PostgresException { SqlState: "40P01" or "40001" } => BatchFailure.Retry,
        // Data exception, integrity violation, program limit: a statement's input was rejected; find which one.
        PostgresException { SqlState: var state } when state.StartsWith("22", StringComparison.Ordinal)
            || state.StartsWith("23", StringComparison.Ordinal) || state.StartsWith("54", StringComparison.Ordinal) => BatchFailure.Isolate,
        _ => BatchFailure.FailAll,
    };

    private static void AddText(NpgsqlParameterCollection parameters, params string?[] values)
    {
        foreach (var value in values)
        {
            parameters.Add(value is null
                ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = DBNull.Value }
                : new NpgsqlParameter<string> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text });
        }
    }

    private static void AddTime(NpgsqlParameterCollection parameters, DateTimeOffset value) =>
        parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });

    private static async Task<IReadOnlyList<ReminderEntry>> ReadRemindersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<ReminderEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new ReminderEntry(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), (uint)reader.GetInt64(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<TimeSpan>(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetString(7)));
        }

        return entries;
    }
}
