using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ArActors.TestKit;

namespace ArActors.Silo.Tests.Faults;

/// <summary>
/// 10,000 generated malformed requests across every operation of the OpenAPI document against the engine as a process:
/// none may answer 5xx, every 4xx is problem+json, and the ledger in PostgreSQL keeps its invariants afterwards.
/// </summary>
public sealed class MalformedRequestTests(PostgresDatabase database, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const int RequestCount = 10_000;

    [Fact]
    public async Task Ten_thousand_malformed_requests_get_no_5xx_and_every_4xx_is_problem_json_and_the_ledger_keeps_its_invariants()
    {
        await using var engine = await EngineProcess.StartAsync(database.ConnectionString);
        using var client = await engine.ManagerClientAsync(TimeSpan.FromSeconds(30));
        var token = client.DefaultRequestHeaders.Authorization!;
        await SeedAsync(client);

        using var openApi = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var routeValues = new Dictionary<string, string>
        {
            ["customerId"] = "MAL-1", ["number"] = "MAL-INV-1", ["paymentId"] = "MAL-PAY-1", ["allocationId"] = "MAL-PAY-1/MAL-INV-1",
            ["writeOffId"] = "MAL-WO-1", ["segment"] = "corporate", ["collectorId"] = "collector-1", ["id"] = Guid.NewGuid().ToString("N"),
        };
        var generator = new MalformedRequests(openApi, routeValues, seed: 20261201);
        var requests = Enumerable.Range(0, RequestCount).Select(_ => generator.Next()).ToList();

        var serverErrors = new ConcurrentQueue<string>();
        var notProblemJson = new ConcurrentQueue<string>();
        var rejectedByKestrel = 0;
        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        using var anonymous = new HttpClient { BaseAddress = engine.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (request, cancellationToken) =>
        {
            using var message = new HttpRequestMessage(request.Method, new Uri(request.Path, UriKind.Relative));
            if (request.Authenticated)
            {
                message.Headers.Authorization = token;
            }

            if (request.IdempotencyKey is not null)
            {
                message.Headers.TryAddWithoutValidation("Idempotency-Key", request.IdempotencyKey);
            }

            if (request.Body is not null)
            {
                message.Content = new ByteArrayContent(request.Body);
                if (request.ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                }
            }

            try
            {
                using var response = await anonymous.SendAsync(message, cancellationToken);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status >= 500)
                {
                    serverErrors.Enqueue($"{status} {await Excerpt(response)} <- {request}");
                }
                else if (IsRejectedByHttpParser(request, status, response))
                {
                    Interlocked.Increment(ref rejectedByKestrel);
                }
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    notProblemJson.Enqueue($"{status} [{response.Content.Headers.ContentType?.ToString() ?? "no content type"}] <- {request}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                failures.Enqueue($"{ex.GetType().Name}: {ex.Message} <- {request}");
            }
        });
        var elapsed = clock.Elapsed;
        output.WriteLine($"{RequestCount} requests over {generator.OperationCount} operations in {elapsed.TotalSeconds:F1} s; statuses: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")) +
            $"; {rejectedByKestrel} refused by Kestrel's HTTP parser before the application (NUL in the path, request line over 8 KB)");

        Assert.True(serverErrors.IsEmpty, $"{serverErrors.Count} answers 5xx, e.g.:\n" + string.Join('\n', serverErrors.Take(8)));
        Assert.True(notProblemJson.IsEmpty, $"{notProblemJson.Count} 4xx answers not problem+json, e.g.:\n" + string.Join('\n', notProblemJson.Take(8)));
        Assert.True(failures.IsEmpty, $"{failures.Count} requests without an answer, e.g.:\n" + string.Join('\n', failures.Take(8)));
        Assert.True(statuses.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value) >= RequestCount / 2, "fewer than half of the malformed requests were refused");

        // The engine still serves, and the ledger as PostgreSQL holds it keeps its invariants.
        using var account = await client.GetAsync(new Uri("/api/v1/accounts/MAL-1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        var ledger = await StoredLedger.AssertInvariantsAsync(database.ConnectionString);
        Assert.Contains("MAL-INV-1", ledger.Invoices.Keys);
    }

    /// <summary>
    /// Kestrel refuses a request line with a NUL in the path (400) or longer than its 8 KB limit (414) with an empty
    /// body before any application code runs, so no middleware can make that answer problem+json. Only those qualify.
    /// </summary>
    private static bool IsRejectedByHttpParser(MalformedRequest request, int status, HttpResponseMessage response) =>
        response.Content.Headers.ContentLength == 0
        && (status == 400 && request.Path.Split('?')[0].Contains("%00", StringComparison.Ordinal)
            || status == 414 && request.Path.Length > 8_000);

    private static async Task<string> Excerpt(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length > 300 ? text[..300] : text;
    }

    /// <summary>An account with an invoice, a payment allocated to it and a write-off request, so valid route values reach real entities.</summary>
    private static async Task SeedAsync(HttpClient client)
    {
        async Task Post(string path, object body)
        {
            using var response = await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
            Assert.True(response.IsSuccessStatusCode, $"seeding {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await Post("/api/v1/accounts", new
        {
            customerId = "MAL-1", name = "Malformed Ltd", country = "DE", timeZone = "Europe/Berlin", currency = "EUR",
            terms = new { kind = "net", days = 30 }, creditLimit = 50_000m, segment = "corporate", portfolio = "north", assignedCollector = "collector-1",
        });
        await Post("/api/v1/accounts/MAL-1/invoices", new { number = "MAL-INV-1", issueDate = "2026-10-01", amount = 1_000m, currency = "EUR" });
        await Post("/api/v1/accounts/MAL-1/payments", new { paymentId = "MAL-PAY-1", amount = 100m, currency = "EUR", valueDate = "2026-10-20", method = "bankTransfer" });
        await Post("/api/v1/accounts/MAL-1/write-offs", new { writeOffId = "MAL-WO-1", invoiceNumber = "MAL-INV-1", amount = 10m, currency = "EUR", reason = "seed" });
    }
}
