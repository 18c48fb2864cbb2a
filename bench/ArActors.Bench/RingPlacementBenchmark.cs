using System.Diagnostics;
using ArActors.Runtime.Clustering;

namespace ArActors.Bench;

/// <summary>
/// Consistent-hash placement cost: Owner lookups per second and ring build time, next to the raw baseline of
/// modulo placement (hash % silos), which is as cheap as placement gets but moves almost every key on a change.
/// </summary>
public sealed class RingPlacementBenchmark : IBenchmark
{
    public string Name => "ring-placement";

    public string Description => "ConsistentHashRing.Owner lookups/s and Create time (3 and 20 silos x 128 vnodes) vs hash % n";

    public Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var lookups = Math.Max(100_000, (int)(20_000_000 * context.Scale));
        var hashes = new uint[1 << 16];
        var random = new Random(1);
        for (var i = 0; i < hashes.Length; i++)
        {
            hashes[i] = (uint)random.NextInt64(0, 1L << 32);
        }

        var results = new List<BenchResult>();
        foreach (var count in new[] { 3, 20 })
        {
            var silos = Enumerable.Range(0, count).Select(i => new SiloAddress($"http://10.0.0.{i + 1}:5081", 639_000_000_000_000_000 + i)).ToArray();

            var build = Stopwatch.StartNew();
            const int Builds = 50;
            ConsistentHashRing ring = null!;
            for (var i = 0; i < Builds; i++)
            {
                ring = ConsistentHashRing.Create(silos, ConsistentHashRing.DefaultVirtualNodesPerSilo);
            }

            var buildMicros = build.Elapsed.TotalMicroseconds / Builds;

            var checksum = 0;
            var owner = Stopwatch.StartNew();
            for (var i = 0; i < lookups; i++)
            {
                checksum += ring.Owner(hashes[i & 0xFFFF]).Generation == 0 ? 1 : 0;
            }

            var ringPerSecond = lookups / owner.Elapsed.TotalSeconds;

            var modulo = Stopwatch.StartNew();
            for (var i = 0; i < lookups; i++)
            {
                checksum += silos[hashes[i & 0xFFFF] % (uint)count].Generation == 0 ? 1 : 0;
            }

            var moduloPerSecond = lookups / modulo.Elapsed.TotalSeconds;
            Console.WriteLine($"   {count} silos: checksum {checksum}");
            results.Add(new BenchResult(Name, $"Owner/s, {count} silos", ringPerSecond, "ops/s", "hash % n", moduloPerSecond));
            results.Add(new BenchResult(Name, $"Create, {count} silos", buildMicros, "us"));
        }

        return Task.FromResult<IReadOnlyList<BenchResult>>(results);
    }
}
