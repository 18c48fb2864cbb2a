using Npgsql;

namespace ArActors.Runtime.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema as an ordered list of migrations, applied under a transaction-scoped advisory lock so that
/// several processes starting at once serialize; each applied version is recorded in {schema}.schema_version.
/// Add a migration by appending to <see cref="Migrations"/>; never edit an applied one. "{schema}" is replaced.
/// </summary>
internal static class PostgresSchema
{
    // Key columns use the "C" collation so text order is byte order: stable keyset paging whatever the database locale.
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE {schema}.grain_state (
                grain_type text COLLATE "C" NOT NULL,
                grain_key text COLLATE "C" NOT NULL,
                state_name text COLLATE "C" NOT NULL,
                payload bytea NOT NULL,
                etag text NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (grain_type, grain_key, state_name)
            );

            CREATE TABLE {schema}.topic_sequences (
                topic text COLLATE "C" NOT NULL PRIMARY KEY,
                last_sequence bigint NOT NULL
            );

            CREATE TABLE {schema}.events (
                topic text COLLATE "C" NOT NULL,
                sequence bigint NOT NULL,
                event_type text NOT NULL,
                source_grain_type text NOT NULL,
                source_grain_key text NOT NULL,
                payload bytea NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (topic, sequence)
            );

            CREATE TABLE {schema}.reminders (
                grain_type text COLLATE "C" NOT NULL,
                grain_key text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                hash bigint NOT NULL,
                first_due timestamptz NOT NULL,
                period interval NOT NULL,
                next_due timestamptz NOT NULL,
                etag text NOT NULL,
                PRIMARY KEY (grain_type, grain_key, name)
            );

            -- Serves ReadDueAsync: seek on next_due, order and keyset on the key, hash filtered from the index tuple.
            CREATE INDEX reminders_due ON {schema}.reminders (next_due, grain_type, grain_key, name) INCLUDE (hash);
            """),

        // State rows above about 2 KB are compressed when written; with the default pglz that compression was the
        // server's largest single cost under the ingest benchmark (4.5% of the machine's CPU). lz4 compresses several
        // times faster; rows written before keep their pglz form and stay readable. A server built without lz4 (or
        // older than 14) keeps pglz.
        (2, """
            DO $$
            BEGIN
                ALTER TABLE {schema}.grain_state ALTER COLUMN payload SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported OR syntax_error THEN
                RAISE NOTICE 'lz4 compression is not available; state rows stay pglz-compressed';
            END
            $$;
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Held until COMMIT: a second starter waits here, then sees the versions the first one recorded.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "aractors.schema:" + schema });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            """, cancellationToken).ConfigureAwait(false);

        int version;
        await using (var current = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {schema}.schema_version", connection, transaction))
        {
            version = Convert.ToInt32(await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (version > LatestVersion)
        {
            throw new InvalidOperationException(
                $"PostgreSQL schema '{schema}' has version {version}, newer than this build knows ({LatestVersion}).");
        }

        foreach (var (migrationVersion, sql) in Migrations)
        {
            if (migrationVersion <= version)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, sql.Replace("{schema}", schema, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {schema}.schema_version (version) VALUES ($1)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migrationVersion });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
