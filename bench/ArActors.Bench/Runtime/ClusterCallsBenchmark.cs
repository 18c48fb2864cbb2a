using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using ArActors.Runtime;
using ArActors.Runtime.Clustering;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ArActors.Bench.Runtime;

/// <summary>
/// Grain calls between three in-process silos over loopback HTTP: calls to grains on the calling silo, calls forwarded
/// to the other two, a mix with 30 % forwarded, and as the raw baseline a plain Kestrel JSON POST round trip with the same client settings and
/// concurrency, measured in the same run.
/// </summary>
public sealed class ClusterCallsBenchmark : IBenchmark
{
    private const int Concurrency = 64;

    public string Name => "cluster-calls";

    public string Description => "local, forwarded and 30 % remote grain calls across 3 silos, next to a raw HTTP JSON round trip";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var calls = Math.Max(2_000, (int)(100_000 * context.Scale));
        var options = new MultiSiloTestClusterOptions
        {
            StoreFactory = () => new InMemoryStore(),
            MembershipTable = new InMemoryMembershipTable(),
            NextPort = NextPort,
        };
        options.GrainAssemblies.Add(typeof(PingGrain).Assembly);
        await using var cluster = new MultiSiloTestCluster(options);
        var a = await cluster.StartSiloAsync();
        var b = await cluster.StartSiloAsync();
        var c = await cluster.StartSiloAsync();
        var ring = a.Cluster!.Ring;
        var localKeys = KeysOwnedBy(ring, a.Cluster.Self, 1_000);
        var remoteKeys = KeysOwnedBy(ring, b.Cluster!.Self, 500).Concat(KeysOwnedBy(ring, c.Cluster!.Self, 500)).ToList();

        await using var raw = await RawServer.StartAsync(NextPort());
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = raw.Address };

        var results = new List<BenchResult>();
        for (var round = 0; round < 2; round++)
        {
            // Round 0 warms up (JIT, activations, connections); round 1 is reported.
            var local = await MeasureAsync(calls, i => a.GetGrain<IPingGrain>(localKeys[i % localKeys.Count]).Ping(i));
            var remote = await MeasureAsync(calls, i => a.GetGrain<IPingGrain>(remoteKeys[i % remoteKeys.Count]).Ping(i));

            // 3 of every 10 calls go to a grain on another silo.
            var mixed = await MeasureAsync(calls, i => a.GetGrain<IPingGrain>(i % 10 < 3 ? remoteKeys[i % remoteKeys.Count] : localKeys[i % localKeys.Count]).Ping(i));
            var baseline = await MeasureAsync(calls, async i =>
            {
                using var response = await http.PostAsJsonAsync(new Uri("/echo", UriKind.Relative), new Echo(i), cancellationToken);
                return (await response.Content.ReadFromJsonAsync<Echo>(cancellationToken))!.Value;
            });
            if (round == 1)
            {
                Console.WriteLine($"  {calls} calls each, {Concurrency} concurrent: local {local:N0}/s, forwarded {remote:N0}/s, 30 % remote {mixed:N0}/s, raw HTTP {baseline:N0}/s");
                results.Add(new BenchResult(Name, "local calls/s", local, "calls/s"));
                results.Add(new BenchResult(Name, "forwarded calls/s", remote, "calls/s", "raw HTTP JSON round trips/s", baseline));
                results.Add(new BenchResult(Name, "forwarded vs local", remote, "calls/s", "local calls/s", local));
                results.Add(new BenchResult(Name, "30% remote (3 silos) calls/s", mixed, "calls/s", "local calls/s", local));
            }
        }

        return results;
    }

    private static async Task<double> MeasureAsync(int calls, Func<int, Task<int>> call)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls)
            {
                await call(i);
            }
        })));
        return calls / clock.Elapsed.TotalSeconds;
    }

    private static List<string> KeysOwnedBy(ConsistentHashRing ring, SiloAddress silo, int count)
    {
        var keys = new List<string>(count);
        for (var i = 0; keys.Count < count; i++)
        {
            var key = $"ping-{i}";
            if (ring.Owner(GrainHash.OfGrainKey(key)) == silo)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static int NextPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Echo(int Value);

    private sealed class RawServer(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public static async Task<RawServer> StartAsync(int port)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/echo", async (HttpContext context) =>
            {
                var echo = await context.Request.ReadFromJsonAsync<Echo>(context.RequestAborted);
                return Results.Json(new Echo(echo!.Value + 1));
            });
            await app.StartAsync();
            return new RawServer(app, new Uri($"http://127.0.0.1:{port}"));
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
