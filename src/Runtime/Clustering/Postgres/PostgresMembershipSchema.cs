using Npgsql;

namespace ArActors.Runtime.Clustering.Postgres;

/// <summary>
/// Membership migrations, applied like the storage schema (advisory transaction lock, recorded versions) but under
/// their own lock key and version table, so membership and storage can share schema "aractors" and evolve apart.
/// </summary>
internal static class PostgresMembershipSchema
{
    public static readonly IReadOnlyList<(int Version, string Sql)> Migrations =
    [
        (1, """
            CREATE TABLE {schema}.membership_version (
                id integer PRIMARY KEY CHECK (id = 0),
                version bigint NOT NULL
            );
            INSERT INTO {schema}.membership_version (id, version) VALUES (0, 0);

            CREATE TABLE {schema}.membership (
                endpoint text COLLATE "C" NOT NULL,
                generation bigint NOT NULL,
                status smallint NOT NULL,
                start_time timestamptz NOT NULL,
                i_am_alive timestamptz NOT NULL,
                suspect_endpoints text[] NOT NULL,
                suspect_generations bigint[] NOT NULL,
                suspect_times timestamptz[] NOT NULL,
                row_version bigint NOT NULL,
                PRIMARY KEY (endpoint, generation)
            );
            """),
        (2, """
            CREATE TABLE {schema}.leases (
                name text COLLATE "C" PRIMARY KEY,
                holder text COLLATE "C" NOT NULL,
                generation bigint NOT NULL,
                expires timestamptz NOT NULL
            );
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Held until COMMIT: concurrent starters serialize here and the later ones find the migrations applied.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "aractors.membership:" + schema });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.membership_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            """, cancellationToken).ConfigureAwait(false);

        int version;
        await using (var current = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {schema}.membership_schema_version", connection, transaction))
        {
            version = Convert.ToInt32(await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (version > LatestVersion)
        {
            throw new InvalidOperationException(
                $"Membership schema in '{schema}' has version {version}, newer than this build knows ({LatestVersion}).");
        }

        foreach (var (migrationVersion, sql) in Migrations)
        {
            if (migrationVersion <= version)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, sql.Replace("{schema}", schema, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {schema}.membership_schema_version (version) VALUES ($1)", connection, transaction);
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
