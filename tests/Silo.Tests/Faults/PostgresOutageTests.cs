using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace ArActors.Silo.Tests.Faults;

/// <summary>
/// The engine as a process on a PostgreSQL cluster of the test's own; load through the HTTP API while PostgreSQL is
/// stopped (<c>pg_ctl stop -m fast</c>) for 10 s and started again.
/// </summary>
public sealed class PostgresOutageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private sealed record Outcome(TimeSpan At, string Kind, string CustomerId, string Id, int Status, bool RetryAfter, string? ContentType);

    [Fact]
    public async Task Stopping_PostgreSQL_for_10_seconds_answers_503_with_Retry_After_loses_no_acknowledged_write_and_serves_within_5_seconds_of_its_return()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        await using var engine = await EngineProcess.StartAsync(postgres.ConnectionString);
        using var client = await engine.ManagerClientAsync(RequestTimeout);
        using var probe = new HttpClient { BaseAddress = engine.BaseAddress, Timeout = RequestTimeout };

        var accounts = Enumerable.Range(0, 16).Select(i => $"OUT-{i:D2}").ToArray();
        foreach (var id in accounts)
        {
            using var opened = await client.PostAsJsonAsync(new Uri("/api/v1/accounts", UriKind.Relative), Account(id));
            Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var outcomes = new ConcurrentQueue<Outcome>();
        var hangs = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();

        async Task Worker(int worker)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var customerId = accounts[(worker + n) % accounts.Length];
                var invoice = n % 3 != 2;
                var id = $"{(invoice ? "I" : "P")}-{worker}-{n:D5}";
                object body = invoice
                    ? new { number = id, issueDate = Iso(today.AddDays(-40)), amount = 100m + n % 400, currency = "EUR" }
                    : new { paymentId = id, amount = 1m + n % 50, currency = "EUR", valueDate = Iso(today.AddDays(-1)), method = "bankTransfer" };
                var path = $"/api/v1/accounts/{customerId}/{(invoice ? "invoices" : "payments")}";
                var started = clock.Elapsed;
                try
                {
                    using var response = await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
                    outcomes.Enqueue(new Outcome(started, invoice ? "invoice" : "payment", customerId, id, (int)response.StatusCode,
                        response.Headers.RetryAfter is not null, response.Content.Headers.ContentType?.MediaType));
                    if (!response.IsSuccessStatusCode)
                    {
                        await Task.Delay(50);
                    }
                }
                catch (Exception ex) when (ex is TaskCanceledException or HttpRequestException)
                {
                    hangs.Enqueue($"{path} {id} at {started}: {ex.GetType().Name} {ex.Message}");
                }
            }
        }

        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(() => Worker(w))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(3));

        var stoppedAt = clock.Elapsed;
        await postgres.StopServerAsync();
        var stopped = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(10));
        await postgres.StartServerAsync();
        var back = clock.Elapsed;
        await Poll.UntilAsync(() => Poll.IsReadyAsync(probe), TimeSpan.FromSeconds(30), "ready again after PostgreSQL is back");
        var readyAgain = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(7));
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var all = outcomes.OrderBy(o => o.At).ToList();
        var acknowledged = all.Where(o => o.Status is >= 200 and < 300).ToList();
        var unavailable = all.Where(o => o.Status == 503).ToList();
        var lastFailure = all.LastOrDefault(o => o.Status is < 200 or >= 300);
        var fullServiceAfter = lastFailure is null || lastFailure.At < back ? TimeSpan.Zero : lastFailure.At - back;
        output.WriteLine(
            $"{all.Count} requests: {acknowledged.Count} acknowledged ({acknowledged.Count(o => o.At < stoppedAt)} before the stop, " +
            $"{acknowledged.Count(o => o.At > back)} after the restart), {unavailable.Count} answered 503; stop took {stopped - stoppedAt}; " +
            $"ready {readyAgain - back} and the last failure {fullServiceAfter} after PostgreSQL was back");

        Assert.Empty(hangs);
        var wrong = all.Where(o => o.Status is not (>= 200 and < 300) and not 503).Take(5).ToList();
        Assert.True(wrong.Count == 0, "answers other than 2xx/503: " + string.Join("; ", wrong));
        Assert.True(unavailable.Count > 0, "no request was answered 503 while PostgreSQL was stopped");
        Assert.All(unavailable, o =>
        {
            Assert.True(o.RetryAfter, $"503 without Retry-After: {o}");
            Assert.Equal("application/problem+json", o.ContentType);
        });
        Assert.Contains(acknowledged, o => o.At < stoppedAt);
        Assert.Contains(acknowledged, o => o.At > back);
        Assert.True(readyAgain - back <= TimeSpan.FromSeconds(5), $"/health/ready answered 200 only {readyAgain - back} after PostgreSQL was back");
        Assert.True(fullServiceAfter <= TimeSpan.FromSeconds(5), $"writes still failed {fullServiceAfter} after PostgreSQL was back (last: {lastFailure})");

        // Every acknowledged invoice and payment is in PostgreSQL, read directly; the stored ledger keeps its invariants.
        var ledger = await StoredLedger.AssertInvariantsAsync(postgres.ConnectionString);
        var lost = acknowledged.Where(o => o.Kind == "invoice"
                ? !(ledger.Invoices.TryGetValue(o.Id, out var i) && i.CustomerId == o.CustomerId)
                : !(ledger.Payments.TryGetValue(o.Id, out var p) && p.CustomerId == o.CustomerId))
            .ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes missing from PostgreSQL: " + string.Join("; ", lost.Take(5)));
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static object Account(string id) => new
    {
        customerId = id,
        name = "Customer " + id,
        country = "DE",
        timeZone = "Europe/Berlin",
        currency = "EUR",
        terms = new { kind = "net", days = 30 },
        creditLimit = 5_000_000m,
        segment = "leasingCompany",
        portfolio = "north",
        assignedCollector = "collector-1",
    };
}
