using System.Diagnostics;
using System.Net;

namespace ArActors.Bench.Ingest;

/// <summary>What a closed-loop HTTP load measured: successes per second and their latencies.</summary>
internal sealed record LoadResult(int Succeeded, int Failed, double Seconds, double[] SortedLatencyMs, string? FirstFailure)
{
    public double PerSecond => Succeeded / Seconds;
}

/// <summary>
/// A closed-loop load: <c>concurrency</c> workers each send a request, wait for its answer, and send the next, for a
/// fixed time. The same generator drives the engine and the bare Kestrel baseline.
/// </summary>
internal static class HttpLoad
{
    public static HttpClient Client(Uri baseAddress, int concurrency) => new(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<LoadResult> RunAsync(HttpClient client, int concurrency, TimeSpan duration, Func<int, long, HttpRequestMessage> request)
    {
        var latencies = new List<double>[concurrency];
        var failed = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(4096);
            for (long n = 0; clock.Elapsed < duration; n++)
            {
                using var message = request(worker, n);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(message);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                        firstFailure ??= $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    }
                }
                catch (HttpRequestException ex)
                {
                    Interlocked.Increment(ref failed);
                    firstFailure ??= ex.Message;
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(all.Length, failed, seconds, all, firstFailure);
    }

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;
}
