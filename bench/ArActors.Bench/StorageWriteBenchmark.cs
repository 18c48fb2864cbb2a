using System.Diagnostics;
using System.Globalization;
using System.Text;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ArActors.Bench;

/// <summary>
/// Durable grain-state writes per second through the group-committing stores, 1,000 grains writing at once, next to
/// the raw per-row figure a naive provider would get: one INSERT and one commit per write.
/// </summary>
public sealed class StorageWriteBenchmark : IBenchmark
{
    private const int Grains = 1000;
    private const int RawPostgresConnections = 8;

    public string Name => "storage-write";

    public string Description => "durable WriteStateAsync/s (1,000 grains) vs raw single-row INSERT+commit, PostgreSQL and SQLite";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var duration = TimeSpan.FromSeconds(10 * context.Scale);
        var results = new List<BenchResult>();
        if (context.PostgresConnectionString is { Length: > 0 } postgres)
        {
            results.AddRange(await RunPostgresAsync(postgres, duration, cancellationToken));
        }
        else
        {
            Console.WriteLine("   ARACTORS_BENCH_PG is not set: skipping PostgreSQL.");
        }

        results.AddRange(await RunSqliteAsync(duration, cancellationToken));
        return results;
    }

    private static async Task<IReadOnlyList<BenchResult>> RunPostgresAsync(string connectionString, TimeSpan duration, CancellationToken cancellationToken)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var raw = await RawPostgresInsertsPerSecondAsync(connectionString, schema, duration, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   postgres raw single-row INSERT+commit ({RawPostgresConnections} connections): {raw:N0}/s"));
            await using var store = new PostgresStore(connectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance, new PostgresStoreOptions { Schema = schema });
            await store.InitializeAsync(cancellationToken);
            var (perSecond, perTransaction) = await StoreWritesPerSecondAsync(store, store, duration);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   postgres store: {perSecond:N0} writes/s, {perTransaction:N1} writes per transaction"));
            return
            [
                new BenchResult("storage-write", "postgres WriteStateAsync", perSecond, "ops/s", $"raw INSERT+commit x{RawPostgresConnections}", raw),
                new BenchResult("storage-write", "postgres writes per transaction", perTransaction, "ops/tx"),
            ];
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<IReadOnlyList<BenchResult>> RunSqliteAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "aractors-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            var raw = RawSqliteInsertsPerSecond(Path.Combine(folder, "raw.db"), duration);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   sqlite raw single-row INSERT per transaction (synchronous=FULL): {raw:N0}/s"));
            await using var store = new SqliteStore(Path.Combine(folder, "store.db"), TimeProvider.System, NullLogger<SqliteStore>.Instance);
            await store.InitializeAsync(cancellationToken);
            var (perSecond, perTransaction) = await StoreWritesPerSecondAsync(store, store, duration);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   sqlite store: {perSecond:N0} writes/s, {perTransaction:N1} writes per transaction"));
            return
            [
                new BenchResult("storage-write", "sqlite WriteStateAsync", perSecond, "ops/s", "raw INSERT per tx, sync=FULL", raw),
                new BenchResult("storage-write", "sqlite writes per transaction", perTransaction, "ops/tx"),
            ];
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Each grain writes its own small JSON state in a loop, always naming the ETag it got last time.</summary>
    private static async Task<(double PerSecond, double PerTransaction)> StoreWritesPerSecondAsync(
        IDurableStore store, IGroupCommitStatistics statistics, TimeSpan duration)
    {
        var grainType = "BenchGrain";
        // Warm-up: creates the rows, so the measured part is the steady state of updates.
        var etags = await Task.WhenAll(Enumerable.Range(0, Grains).Select(async i =>
            (await store.WriteStateAsync(new GrainStateId(grainType, Key(i), "state"), Payload(i, 0), null, [])).Etag));

        var transactionsBefore = statistics.Transactions;
        var operationsBefore = statistics.Operations;
        using var stop = new CancellationTokenSource(duration);
        var stopwatch = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, Grains).Select(async i =>
        {
            var id = new GrainStateId(grainType, Key(i), "state");
            var etag = etags[i];
            long writes = 0;
            while (!stop.IsCancellationRequested)
            {
                etag = (await store.WriteStateAsync(id, Payload(i, writes + 1), etag, [])).Etag;
                writes++;
            }

            return writes;
        }));
        stopwatch.Stop();
        var transactions = statistics.Transactions - transactionsBefore;
        var operations = statistics.Operations - operationsBefore;
        return (counts.Sum() / stopwatch.Elapsed.TotalSeconds, transactions == 0 ? 0 : (double)operations / transactions);
    }

    private static async Task<double> RawPostgresInsertsPerSecondAsync(string connectionString, string schema, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand(
            $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.raw_writes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, grain_key text NOT NULL, payload bytea NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        using var stop = new CancellationTokenSource(duration);
        var stopwatch = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, RawPostgresConnections).Select(async worker =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var insert = new NpgsqlCommand($"INSERT INTO {schema}.raw_writes (grain_key, payload) VALUES ($1, $2)", connection);
            var key = new NpgsqlParameter<string> { TypedValue = "" };
            var payload = new NpgsqlParameter<byte[]> { TypedValue = [] };
            insert.Parameters.Add(key);
            insert.Parameters.Add(payload);
            await insert.PrepareAsync(cancellationToken);
            long writes = 0;
            while (!stop.IsCancellationRequested)
            {
                key.TypedValue = Key(worker);
                payload.TypedValue = Payload(worker, writes);
                await insert.ExecuteNonQueryAsync(cancellationToken);
                writes++;
            }

            return writes;
        }));
        stopwatch.Stop();
        return counts.Sum() / stopwatch.Elapsed.TotalSeconds;
    }

    private static double RawSqliteInsertsPerSecond(string path, TimeSpan duration)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
                CREATE TABLE raw_writes (id INTEGER PRIMARY KEY, grain_key TEXT NOT NULL, payload BLOB NOT NULL);
                """;
            setup.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO raw_writes (grain_key, payload) VALUES ($key, $payload)";
        var key = insert.Parameters.Add("$key", SqliteType.Text);
        var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
        var stopwatch = Stopwatch.StartNew();
        long writes = 0;
        while (stopwatch.Elapsed < duration)
        {
            // Autocommit: each INSERT is its own transaction with its own fsync.
            key.Value = Key((int)(writes % Grains));
            payload.Value = Payload((int)(writes % Grains), writes);
            insert.ExecuteNonQuery();
            writes++;
        }

        return writes / stopwatch.Elapsed.TotalSeconds;
    }

    private static string Key(int grain) => "customer-" + grain.ToString("D5", CultureInfo.InvariantCulture);

    private static byte[] Payload(int grain, long version) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"customerId\":\"customer-{grain:D5}\",\"balance\":{1000 + version}.25,\"currency\":\"USD\",\"version\":{version}}}"));
}
