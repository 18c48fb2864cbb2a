using System.Diagnostics;
using System.Threading.Channels;

namespace ArActors.Bench.Runtime;

/// <summary>Local grain calls per second against raw Channel request/response ping-pong, measured in the same run.</summary>
public sealed class GrainCallsBenchmark : IBenchmark
{
    private const int Grains = 1000;
    private const int Callers = 100;

    public string Name => "grain-calls";

    public string Description => "local grain calls/s (1,000 grains, 100 callers) vs Channel<T> ping-pong (100 pairs)";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var totalCalls = Math.Max(20_000, (int)(1_000_000 * context.Scale));
        var perCaller = totalCalls / Callers;

        var (services, silo) = await BenchSilo.StartAsync();
        await using (services)
        {
            await Task.WhenAll(Enumerable.Range(0, Grains).Select(i => silo.GetGrain<IPingGrain>($"ping-{i}").Ping(0)));
            await RunGrainCallsAsync(silo, perCaller / 10);
            await RunChannelsAsync(perCaller / 10);

            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var grainRate = await RunGrainCallsAsync(silo, perCaller);
            var grainBytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)(perCaller * Callers);
            allocated = GC.GetTotalAllocatedBytes(precise: true);
            var channelRate = await RunChannelsAsync(perCaller);
            var channelBytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)(perCaller * Callers);
            Console.WriteLine($"  grain calls: {grainRate:N0}/s ({grainBytes:N0} B/call), channel ping-pong: {channelRate:N0}/s ({channelBytes:N0} B/op), ratio {grainRate / channelRate:N2}");
            await silo.StopAsync(cancellationToken);
            return
            [
                new BenchResult(Name, "calls/s", grainRate, "ops/s", "channel ping-pong", channelRate),
                new BenchResult(Name, "allocated bytes/call", grainBytes, "B", "channel ping-pong", channelBytes),
            ];
        }
    }

    private static async Task<double> RunGrainCallsAsync(ArActors.Runtime.Silo silo, int perCaller)
    {
        // Callers hold grain references, as host code and grains do; the loop measures calls, not key formatting.
        var grains = Enumerable.Range(0, Grains).Select(i => silo.GetGrain<IPingGrain>($"ping-{i}")).ToArray();
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                await grains[((c * 7919) + i) % Grains].Ping(i);
            }
        })));
        return Callers * (double)perCaller / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<double> RunChannelsAsync(int perPair)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            var requests = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var responses = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var server = Task.Run(async () =>
            {
                await foreach (var request in requests.Reader.ReadAllAsync())
                {
                    await responses.Writer.WriteAsync(request + 1);
                }
            });
            for (var i = 0; i < perPair; i++)
            {
                await requests.Writer.WriteAsync(i);
                await responses.Reader.ReadAsync();
            }

            requests.Writer.Complete();
            await server;
        })));
        return Callers * (double)perPair / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
