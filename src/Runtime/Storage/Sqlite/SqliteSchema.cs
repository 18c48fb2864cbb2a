using Microsoft.Data.Sqlite;

namespace ArActors.Runtime.Storage.Sqlite;

/// <summary>
/// The SQLite schema as an ordered list of migrations. A migration is applied once, inside the same
/// BEGIN IMMEDIATE transaction that records it in aractors_schema_version, so concurrent starters serialize.
/// Add a migration by appending to <see cref="Migrations"/>; never edit an applied one.
/// </summary>
internal static class SqliteSchema
{
    // Times are UTC ticks (100 ns) in INTEGER columns, so ordering and keyset comparisons are exact.
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE aractors_grain_state (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                state_name TEXT NOT NULL,
                payload BLOB NOT NULL,
                etag TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            ) WITHOUT ROWID;

            CREATE TABLE aractors_topic_sequences (
                topic TEXT NOT NULL PRIMARY KEY,
                last_sequence INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE aractors_events (
                topic TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                event_type TEXT NOT NULL,
                source_grain_type TEXT NOT NULL,
                source_grain_key TEXT NOT NULL,
                payload BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (topic, sequence)
            ) WITHOUT ROWID;

            CREATE TABLE aractors_reminders (
                grain_type TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                name TEXT NOT NULL,
                hash INTEGER NOT NULL,
                first_due INTEGER NOT NULL,
                period INTEGER NOT NULL,
                next_due INTEGER NOT NULL,
                etag TEXT NOT NULL,
                PRIMARY KEY (grain_type, grain_key, name)
            ) WITHOUT ROWID;

            -- Serves ReadDueAsync: seek on next_due, order and keyset on the key, hash filtered inside the index.
            CREATE INDEX aractors_reminders_due ON aractors_reminders (next_due, grain_type, grain_key, name, hash);
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    public static void Apply(SqliteConnection connection, long appliedAtTicks)
    {
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            Execute(connection, "CREATE TABLE IF NOT EXISTS aractors_schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)");
            using var current = connection.CreateCommand();
            current.CommandText = "SELECT COALESCE(MAX(version), 0) FROM aractors_schema_version";
            var version = Convert.ToInt32(current.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            if (version > LatestVersion)
            {
                throw new InvalidOperationException(
                    $"The SQLite database has schema version {version}, newer than this build knows ({LatestVersion}).");
            }

            foreach (var (migrationVersion, sql) in Migrations)
            {
                if (migrationVersion <= version)
                {
                    continue;
                }

                Execute(connection, sql);
                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO aractors_schema_version (version, applied_at) VALUES ($version, $at)";
                record.Parameters.AddWithValue("$version", migrationVersion);
                record.Parameters.AddWithValue("$at", appliedAtTicks);
                record.ExecuteNonQuery();
            }

            Execute(connection, "COMMIT");
        }
        catch
        {
            Execute(connection, "ROLLBACK");
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
