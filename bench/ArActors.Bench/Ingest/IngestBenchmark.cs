using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Npgsql;
using static ArActors.Bench.Reminders.ReminderBenchSupport;

namespace ArActors.Bench.Ingest;

/// <summary>
/// Durable ingest through the HTTP API: invoices and payments POSTed to the engine (a process of its own on PostgreSQL;
/// a 2xx only after the account grain's commit), next to raw Npgsql single-row INSERT+commit with 8 connections and
/// next to a bare Kestrel endpoint that reads the same JSON body and answers 201, and next to that endpoint writing each
/// request's row through a group-committing writer before it answers (the floor of any durable ingest here), all in
/// the same run.
/// </summary>
public sealed class IngestBenchmark : IBenchmark
{
    private const int Concurrency = 64;
    private const int Accounts = 512;
    private const int RawConnections = 8;

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(40);

    public string Name => "ingest";

    public string Description => "HTTP POST invoices+payments/s (2xx after commit) vs raw INSERT+commit x8, a bare Kestrel endpoint and Kestrel + group-committed INSERT";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        if (context.PostgresConnectionString is not { Length: > 0 } postgres)
        {
            Console.WriteLine("   ARACTORS_BENCH_PG is not set: skipping (run through bench/run.sh).");
            return [];
        }

        var silo = Environment.GetEnvironmentVariable("ARACTORS_BENCH_SILO");
        if (silo is null || !File.Exists(silo))
        {
            Console.WriteLine("   ARACTORS_BENCH_SILO does not name ArActors.Silo.dll: skipping (run through bench/run.sh).");
            return [];
        }

        var duration = TimeSpan.FromSeconds(Math.Max(3, 15 * context.Scale));
        await using var database = await BenchDatabase.CreateAsync(postgres, "bench_ingest_");
        var engineConnection = database.ConnectionString;
        var raw = await RawInsertsAsync(engineConnection, duration);
        Report("raw INSERT+commit x8", raw);
        var bare = await BareKestrelAsync(duration);
        Report($"bare Kestrel POST x{Concurrency}", bare);
        var floor = await DurableKestrelAsync(engineConnection, duration);
        Report($"Kestrel + group-committed INSERT x{Concurrency} (floor)", floor);
        var engine = await EngineAsync(silo, engineConnection, duration);
        Report($"engine POST x{Concurrency}", engine);
        return
        [
            new BenchResult(Name, "API ingest vs raw per-row", engine.PerSecond, "ops/s", "raw INSERT+commit x8", raw.PerSecond),
            new BenchResult(Name, "API ingest vs bare Kestrel", engine.PerSecond, "ops/s", "bare Kestrel POST", bare.PerSecond),
            new BenchResult(Name, "API ingest vs durable floor", engine.PerSecond, "ops/s", "Kestrel + group-committed INSERT", floor.PerSecond),
            new BenchResult(Name, "durable floor vs raw per-row", floor.PerSecond, "ops/s", "raw INSERT+commit x8", raw.PerSecond),
            new BenchResult(Name, "API ingest p50", Quantile(engine.SortedLatencyMs, 0.5), "ms", "bare Kestrel p50", Quantile(bare.SortedLatencyMs, 0.5)),
            new BenchResult(Name, "API ingest p99", Quantile(engine.SortedLatencyMs, 0.99), "ms", "bare Kestrel p99", Quantile(bare.SortedLatencyMs, 0.99)),
            new BenchResult(Name, "raw INSERT+commit p99", Quantile(raw.SortedLatencyMs, 0.99), "ms"),
        ];
    }

    private static void Report(string what, LoadResult result) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"   {what}: {result.PerSecond:N0}/s, p50 {Quantile(result.SortedLatencyMs, 0.5):N2} ms, p99 {Quantile(result.SortedLatencyMs, 0.99):N2} ms, {result.Failed} failed{(result.FirstFailure is { } f ? " (first: " + f[..Math.Min(f.Length, 200)] + ")" : "")}"));

    /// <summary>What a naive service would do per request: one INSERT of the row, committed on its own, 8 connections.</summary>
    private static async Task<LoadResult> RawInsertsAsync(string connectionString, TimeSpan duration)
    {
        await BenchDatabase.ExecuteAsync(connectionString, "CREATE TABLE raw_ingest (customer_id text NOT NULL, id text NOT NULL, amount numeric NOT NULL, currency text NOT NULL, on_date date NOT NULL, payload jsonb NOT NULL, PRIMARY KEY (customer_id, id))");
        var latencies = new List<double>[RawConnections];
        var cpu = CpuUse.Start();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, RawConnections).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = [];
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO raw_ingest VALUES ($1, $2, $3, 'EUR', $4, $5::jsonb)", connection);
            for (long n = 0; clock.Elapsed < duration; n++)
            {
                insert.Parameters.Clear();
                insert.Parameters.Add(new NpgsqlParameter { Value = $"C-{worker:D3}" });
                insert.Parameters.Add(new NpgsqlParameter { Value = $"R-{worker}-{n}" });
                insert.Parameters.Add(new NpgsqlParameter { Value = 100m + n % 400 });
                insert.Parameters.Add(new NpgsqlParameter { Value = new DateOnly(2026, 11, 1) });
                insert.Parameters.Add(new NpgsqlParameter { Value = $"{{\"number\":\"R-{worker}-{n}\",\"amount\":{100 + n % 400}}}" });
                var started = Stopwatch.GetTimestamp();
                await insert.ExecuteNonQueryAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var result = new LoadResult(all.Length, 0, clock.Elapsed.TotalSeconds, all, null);
        Console.WriteLine("   raw INSERT " + cpu.PerRequest(result));
        return result;
    }

    private sealed record BareInvoice(string? Number, DateOnly? IssueDate, decimal? Amount, string? Currency);

    /// <summary>The HTTP ceiling on this machine: Kestrel reads and parses the same body and answers 201 with a small JSON.</summary>
    private static Task<LoadResult> BareKestrelAsync(TimeSpan duration) =>
        RunEndpointAsync("bare Kestrel", "B", duration, (string customerId, BareInvoice invoice) => Created(customerId, invoice));

    /// <summary>
    /// The floor under any durable HTTP ingest on this machine: the bare endpoint, but each request's row is written by
    /// a group-committing writer (the requests waiting go in one multi-row INSERT, committed on its own) before the
    /// 201. No grain, no rules, no second row, no event: the least a request that answers after its commit must cost.
    /// </summary>
    private static async Task<LoadResult> DurableKestrelAsync(string connectionString, TimeSpan duration)
    {
        await BenchDatabase.ExecuteAsync(connectionString, "CREATE TABLE floor_ingest (LIKE raw_ingest INCLUDING ALL)");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var pending = Channel.CreateUnbounded<FloorRow>();
        using var stop = new CancellationTokenSource();

        // Two writers, so one batch accumulates while the other commits (the engine's store runs three).
        var writers = Enumerable.Range(0, 2).Select(_ => Task.Run(() => WriteFloorBatchesAsync(dataSource, pending.Reader, stop.Token))).ToArray();
        var result = await RunEndpointAsync("floor", "F", duration, async (string customerId, BareInvoice invoice) =>
        {
            var row = new FloorRow(customerId, invoice, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            pending.Writer.TryWrite(row);
            await row.Committed.Task;
            return Created(customerId, invoice);
        });
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        return result;
    }

    /// <summary>Serves <paramref name="handler"/> as the invoice POST in this process, warms it up for a second, then drives it with the 64 clients.</summary>
    private static async Task<LoadResult> RunEndpointAsync(string label, string prefix, TimeSpan duration, Delegate handler)
    {
        var port = EngineProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapPost("/accounts/{customerId}/invoices", handler);
        await app.StartAsync();
        using var client = HttpLoad.Client(new Uri($"http://127.0.0.1:{port}"), Concurrency);
        await HttpLoad.RunAsync(client, Concurrency, TimeSpan.FromSeconds(1), (w, n) => InvoiceRequest($"/accounts/C-{w}/invoices", $"{prefix}W-{w}-{n}", n));
        var cpu = CpuUse.Start();
        var result = await HttpLoad.RunAsync(client, Concurrency, duration, (w, n) => InvoiceRequest($"/accounts/C-{w}/invoices", $"{prefix}-{w}-{n}", n));
        Console.WriteLine($"   {label} {cpu.PerRequest(result)}");
        await app.StopAsync();
        return result;
    }

    private static Created<object> Created(string customerId, BareInvoice invoice) =>
        TypedResults.Created<object>($"/accounts/{customerId}/invoices/{invoice.Number}", new { customerId, invoice.Number, invoice.Amount, invoice.Currency });

    private sealed record FloorRow(string CustomerId, BareInvoice Invoice, TaskCompletionSource Committed);

    private static async Task WriteFloorBatchesAsync(NpgsqlDataSource dataSource, ChannelReader<FloorRow> pending, CancellationToken stop)
    {
        var batch = new List<FloorRow>(512);
        try
        {
            while (await pending.WaitToReadAsync(stop))
            {
                batch.Clear();
                while (batch.Count < 512 && pending.TryRead(out var row))
                {
                    batch.Add(row);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                try
                {
                    await using var insert = dataSource.CreateCommand(
                        "INSERT INTO floor_ingest SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::date[], $6::jsonb[])");
                    insert.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => r.CustomerId).ToArray() });
                    insert.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => r.Invoice.Number ?? "").ToArray() });
                    insert.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => r.Invoice.Amount ?? 0m).ToArray() });
                    insert.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => r.Invoice.Currency ?? "").ToArray() });
                    insert.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => r.Invoice.IssueDate ?? default).ToArray() });
                    insert.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => JsonSerializer.Serialize(r.Invoice)).ToArray() });
                    await insert.ExecuteNonQueryAsync(CancellationToken.None);
                    batch.ForEach(r => r.Committed.SetResult());
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                {
                    batch.ForEach(r => r.Committed.SetException(e));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>The engine as a process on its own database: accounts opened first, then 2 invoices : 1 payment.</summary>
    private static async Task<LoadResult> EngineAsync(string siloDll, string connectionString, TimeSpan duration)
    {
        await using var engine = await EngineProcess.StartAsync(siloDll, connectionString, new Dictionary<string, string>
        {
            ["ArActors__Demo"] = "true",
            ["ArActors__DemoAccounts"] = "0",
        });
        using var client = HttpLoad.Client(engine.Url, Concurrency);
        using (var signIn = await client.PostAsJsonAsync(new Uri("/api/v1/demo/sign-in", UriKind.Relative), new { userId = "manager" }))
        {
            signIn.EnsureSuccessStatusCode();
            using var body = JsonDocument.Parse(await signIn.Content.ReadAsStringAsync());
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.RootElement.GetProperty("token").GetString());
        }

        // The measured accounts and as many for the warm-up, so the measured ones start with the same (empty) ledgers.
        await Parallel.ForEachAsync(Enumerable.Range(0, 2 * Accounts), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, token) =>
        {
            using var response = await client.PostAsJsonAsync(new Uri("/api/v1/accounts", UriKind.Relative), Account(i), token);
            response.EnsureSuccessStatusCode();
        });

        // ARACTORS_BENCH_IDEMPOTENCY=1: every request carries its own Idempotency-Key, as a retrying client would send.
        var keyed = Environment.GetEnvironmentVariable("ARACTORS_BENCH_IDEMPOTENCY") == "1";
        HttpRequestMessage Next(int worker, long n, string prefix)
        {
            var account = AccountId((int)((worker + n * Concurrency) % Accounts) + (prefix == "warm" ? Accounts : 0));
            var request = n % 3 == 2
                ? JsonRequest($"/api/v1/accounts/{account}/payments", $"{{\"paymentId\":\"{prefix}P-{worker}-{n}\",\"amount\":{1 + n % 50},\"currency\":\"EUR\",\"valueDate\":\"2026-11-20\",\"method\":\"bankTransfer\"}}")
                : InvoiceRequest($"/api/v1/accounts/{account}/invoices", $"{prefix}I-{worker}-{n}", n);
            if (keyed)
            {
                request.Headers.Add("Idempotency-Key", $"{prefix}K-{worker}-{n}");
            }

            return request;
        }

        // Tiered compilation keeps recompiling hot methods for about 35 s of this load on 2 cores (dotnet-counters: JIT
        // time 0.3 - 0.7 s per second of load until then); a server runs warm, so the figures are taken after it.
        await HttpLoad.RunAsync(client, Concurrency, WarmUp, (w, n) => Next(w, n, "warm"));
        var sequential = await HttpLoad.RunAsync(client, 1, TimeSpan.FromSeconds(3), (w, n) => Next(w, n, "one"));
        Report("engine POST x1 (one request at a time)", sequential);
        var cpu = CpuUse.Start(engine);
        var result = await HttpLoad.RunAsync(client, Concurrency, duration, (w, n) => Next(w, n, ""));
        Console.WriteLine("   engine x64 " + cpu.PerRequest(result));
        await PrintLargestStatesAsync(connectionString);
        return result;
    }

    /// <summary>
    /// Where the bytes of each durable write go: the largest state rows of the measured accounts after the run (each
    /// write rewrites its row), and the account head rows every command writes (their snapshots are written every 64 events).
    /// </summary>
    private static async Task PrintLargestStatesAsync(string connectionString)
    {
        var measured = $"(grain_key NOT LIKE 'ING-%' OR substr(grain_key, 5, 4)::int < {Accounts})";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand(
            $"SELECT grain_type, grain_key, state_name, length(payload) FROM aractors.grain_state WHERE {measured} ORDER BY length(payload) DESC LIMIT 4", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   state row {reader.GetString(0)}/{reader.GetString(1)} ({reader.GetString(2)}): {reader.GetInt32(3):N0} bytes"));
            }
        }

        await using var heads = new NpgsqlCommand(
            $"SELECT count(*), avg(length(payload))::int, max(length(payload)) FROM aractors.grain_state WHERE grain_type = 'account' AND state_name = 'account' AND {measured}", connection);
        await using var head = await heads.ExecuteReaderAsync();
        await head.ReadAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   account head rows: {head.GetInt64(0):N0}, average {head.GetInt32(1):N0} bytes, largest {head.GetInt32(2):N0} bytes"));
    }

    private static HttpRequestMessage InvoiceRequest(string path, string number, long n) =>
        JsonRequest(path, $"{{\"number\":\"{number}\",\"issueDate\":\"2026-11-01\",\"amount\":{100 + n % 400},\"currency\":\"EUR\"}}");

    private static HttpRequestMessage JsonRequest(string path, string json) =>
        new(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static string AccountId(int i) => "ING-" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static object Account(int i) => new
    {
        customerId = AccountId(i),
        name = "Customer " + i,
        country = "DE",
        timeZone = "Europe/Berlin",
        currency = "EUR",
        terms = new { kind = "net", days = 30 },
        creditLimit = 10_000_000m,
        segment = "corporate",
        portfolio = "north",
        assignedCollector = Environment.GetEnvironmentVariable("ARACTORS_BENCH_COLLECTORS") == "per-account" ? "collector-a" + i : "collector-" + (1 + i % 6),
    };
}
