namespace ArActors.Runtime.Storage.Postgres;

/// <summary>
/// Statement texts of the PostgreSQL store, built once per schema. Every writer statement returns one row
/// (rows changed, current etag) so that a batch reads back each operation's outcome in order and never raises an error.
/// </summary>
internal sealed class PostgresSql(string schema)
{
    private const string Reminder = "grain_type, grain_key, name, hash, first_due, period, next_due, etag";

    private const string StateKey = "grain_type = $1 AND grain_key = $2 AND state_name = $3";

    // The row's etag as this statement's snapshot saw it, read only when the change matched no row (the conflict's
    // message names it): CASE does not evaluate the sub-select otherwise, so a successful write looks the key up once.
    private static string CurrentEtagIfNone(string schema) =>
        $"CASE WHEN count(*) = 0 THEN (SELECT etag FROM {schema}.grain_state WHERE {StateKey}) END";

    public string ReadState { get; } = $"SELECT payload, etag FROM {schema}.grain_state WHERE {StateKey}";

    public string ReadEvents { get; } = $"""
        SELECT sequence, event_type, source_grain_type, source_grain_key, payload, created_at
        FROM {schema}.events WHERE topic = $1 AND sequence > $2 ORDER BY sequence LIMIT $3
        """;

    public string LastSequence { get; } = $"SELECT last_sequence FROM {schema}.topic_sequences WHERE topic = $1";

    public string ReadRemindersForGrain { get; } =
        $"SELECT {Reminder} FROM {schema}.reminders WHERE grain_type = $1 AND grain_key = $2 ORDER BY name";

    /// <summary>Insert when no row may exist: ON CONFLICT DO NOTHING turns a duplicate into "0 rows", not an error.</summary>
    public string InsertState { get; } = $"""
        WITH w AS (
            INSERT INTO {schema}.grain_state (grain_type, grain_key, state_name, payload, etag, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1)
        SELECT count(*), {CurrentEtagIfNone(schema)}
        FROM w
        """;

    /// <summary>The outer SELECT sees the row as before this statement, so on a conflict it reports the current etag.</summary>
    public string UpdateState { get; } = $"""
        WITH w AS (
            UPDATE {schema}.grain_state SET payload = $4, etag = $5, updated_at = $6
            WHERE {StateKey} AND etag = $7 RETURNING 1)
        SELECT count(*), {CurrentEtagIfNone(schema)}
        FROM w
        """;

    public string DeleteState { get; } = $"""
        WITH w AS (DELETE FROM {schema}.grain_state WHERE {StateKey} AND etag = $4 RETURNING 1)
        SELECT count(*), {CurrentEtagIfNone(schema)}
        FROM w
        """;

    /// <summary>A clear that expects no row succeeds (1) only when there is none.</summary>
    public string ClearAbsentState { get; } = $"""
        SELECT CASE WHEN s.etag IS NULL THEN 1::bigint ELSE 0::bigint END, s.etag
        FROM (SELECT (SELECT etag FROM {schema}.grain_state WHERE {StateKey}) AS etag) s
        """;

    private const string ReplaceReminder = """
        ON CONFLICT (grain_type, grain_key, name) DO UPDATE SET
            hash = EXCLUDED.hash, first_due = EXCLUDED.first_due, period = EXCLUDED.period,
            next_due = EXCLUDED.next_due, etag = EXCLUDED.etag
        """;

    public string UpsertReminder { get; } = $"""
        INSERT INTO {schema}.reminders ({Reminder}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        {ReplaceReminder}
        RETURNING 1::bigint, NULL::text
        """;

    /// <summary>
    /// <see cref="UpsertReminder"/> as part of a state write: only if the state row ($9, $10, $11) now has the write's
    /// new etag ($12), i.e. the write's ETag check passed earlier in this transaction.
    /// </summary>
    public string UpsertReminderWithState { get; } = $"""
        WITH u AS (
            INSERT INTO {schema}.reminders ({Reminder}) SELECT $1, $2, $3, $4, $5, $6, $7, $8
            WHERE EXISTS (SELECT 1 FROM {schema}.grain_state WHERE grain_type = $9 AND grain_key = $10 AND state_name = $11 AND etag = $12)
            {ReplaceReminder}
            RETURNING 1)
        SELECT count(*), NULL::text FROM u
        """;

    /// <summary><see cref="RemoveReminder"/> as part of a state write, on the same condition ($4 - $7).</summary>
    public string RemoveReminderWithState { get; } = $"""
        WITH d AS (
            DELETE FROM {schema}.reminders WHERE grain_type = $1 AND grain_key = $2 AND name = $3
            AND EXISTS (SELECT 1 FROM {schema}.grain_state WHERE grain_type = $4 AND grain_key = $5 AND state_name = $6 AND etag = $7)
            RETURNING 1)
        SELECT count(*), NULL::text FROM d
        """;

    public string RemoveReminder { get; } = $"""
        WITH d AS (DELETE FROM {schema}.reminders WHERE grain_type = $1 AND grain_key = $2 AND name = $3 RETURNING 1)
        SELECT count(*), NULL::text FROM d
        """;

    public string AdvanceReminder { get; } = $"""
        WITH u AS (
            UPDATE {schema}.reminders SET next_due = $4, etag = $5
            WHERE grain_type = $1 AND grain_key = $2 AND name = $3 AND etag = $6 RETURNING 1)
        SELECT count(*), NULL::text FROM u
        """;

    /// <summary>
    /// Reserves sequences for several topics ($1 names, ascending; $2 how many each) and inserts the events with them, in
    /// one statement: each event ($3 topic, $4 its distance from its topic's last new sequence, then its fields) gets
    /// the topic's new last sequence minus that distance. Returns each topic's new last sequence. Counter rows are
    /// locked in the order of $1 and stay locked until COMMIT, so same-topic transactions commit in sequence order and
    /// the numbers have no gaps; one statement per batch instead of one per topic.
    /// </summary>
    public string AppendTopics { get; } = $"""
        WITH c AS (
            INSERT INTO {schema}.topic_sequences AS t (topic, last_sequence)
            SELECT s.topic, s.n FROM unnest($1::text[], $2::bigint[]) AS s(topic, n)
            ON CONFLICT (topic) DO UPDATE SET last_sequence = t.last_sequence + EXCLUDED.last_sequence
            RETURNING t.topic, t.last_sequence),
        i AS (
            INSERT INTO {schema}.events (topic, sequence, event_type, source_grain_type, source_grain_key, payload, created_at)
            SELECT u.topic, c.last_sequence - u.back, u.event_type, u.source_grain_type, u.source_grain_key, u.payload, u.created_at
            FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::timestamptz[])
                AS u(topic, back, event_type, source_grain_type, source_grain_key, payload, created_at)
            JOIN c ON c.topic = u.topic)
        SELECT topic, last_sequence FROM c
        """;

    private readonly string[] _readDue =
    [
        BuildReadDue(schema, wraps: false, keyset: false),
        BuildReadDue(schema, wraps: false, keyset: true),
        BuildReadDue(schema, wraps: true, keyset: false),
        BuildReadDue(schema, wraps: true, keyset: true),
    ];

    /// <summary>Parameters: $1 due bound, $2/$3 hash range, $4 limit, then ($5..$8) the keyset cursor.</summary>
    public string ReadDue(bool wraps, bool keyset) => _readDue[(wraps ? 2 : 0) + (keyset ? 1 : 0)];

    private readonly string[] _readDueInRanges =
    [
        BuildReadDueInRanges(schema, keyset: false),
        BuildReadDueInRanges(schema, keyset: true),
    ];

    /// <summary>
    /// Parameters: $1 due bound, $2/$3 the ranges' lower and upper bounds (bigint[], ascending, disjoint), $4 limit,
    /// then ($5..$8) the keyset cursor.
    /// </summary>
    public string ReadDueInRanges(bool keyset) => _readDueInRanges[keyset ? 1 : 0];

    // width_bucket finds, by binary search, the last range starting at or below the hash; the hash is in the union iff
    // it is at most that range's upper bound (bucket 0, below every range, indexes NULL: false). One index scan in due
    // order, one cheap test per row, instead of a query per range.
    private static string BuildReadDueInRanges(string schema, bool keyset)
    {
        var cursor = keyset ? "AND (next_due, grain_type, grain_key, name) > ($5, $6, $7, $8)" : "";
        return $"""
            SELECT {Reminder} FROM {schema}.reminders
            WHERE next_due <= $1 AND hash <= ($3::bigint[])[width_bucket(hash, $2::bigint[])] {cursor}
            ORDER BY next_due, grain_type, grain_key, name
            LIMIT $4
            """;
    }

    private static string BuildReadDue(string schema, bool wraps, bool keyset)
    {
        var hashFilter = wraps ? "(hash >= $2 OR hash <= $3)" : "hash BETWEEN $2 AND $3";
        var cursor = keyset ? "AND (next_due, grain_type, grain_key, name) > ($5, $6, $7, $8)" : "";
        return $"""
            SELECT {Reminder} FROM {schema}.reminders
            WHERE next_due <= $1 AND {hashFilter} {cursor}
            ORDER BY next_due, grain_type, grain_key, name
            LIMIT $4
            """;
    }
}
