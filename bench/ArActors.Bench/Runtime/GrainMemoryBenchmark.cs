namespace ArActors.Bench.Runtime;

/// <summary>Resident bytes per active grain with a small persistent state, next to the bare state object.</summary>
public sealed class GrainMemoryBenchmark : IBenchmark
{
    public string Name => "grain-memory";

    public string Description => "bytes per active grain (small state) vs the bare state object";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var count = Math.Max(10_000, (int)(100_000 * context.Scale));

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var bare = new SmallState[count];
        for (var i = 0; i < count; i++)
        {
            bare[i] = new SmallState(i, i);
        }

        var bareBytes = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(bare);
        bare = null;

        var (services, silo) = await BenchSilo.StartAsync();
        await using (services)
        {
            await silo.GetGrain<ISmallStateGrain>("warm").Payments();
            var baseline = GC.GetTotalMemory(forceFullCollection: true);
            for (var batch = 0; batch < count; batch += 1000)
            {
                await Task.WhenAll(Enumerable.Range(batch, Math.Min(1000, count - batch))
                    .Select(i => silo.GetGrain<ISmallStateGrain>($"acct-{i}").Payments()));
            }

            var perGrain = (GC.GetTotalMemory(forceFullCollection: true) - baseline) / (double)count;
            Console.WriteLine($"  {silo.ActivationCount:N0} activations: {perGrain:N0} B/grain; bare state {bareBytes:N0} B");
            await silo.StopAsync(cancellationToken);
            return [new BenchResult(Name, "bytes/active grain", perGrain, "B", "bare state object", bareBytes)];
        }
    }
}
