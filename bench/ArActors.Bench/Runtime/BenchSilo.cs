using ArActors.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Bench.Runtime;

/// <summary>A silo over the in-memory store with this assembly's grains, for runtime benchmarks.</summary>
internal static class BenchSilo
{
    public static async Task<(ServiceProvider Services, Silo Silo)> StartAsync()
    {
        var services = new ServiceCollection();
        services.AddArActorsSilo(silo => silo.AddGrains(typeof(BenchSilo).Assembly).UseInMemoryStore()
            .Configure(o =>
            {
                if (Environment.GetEnvironmentVariable("ARACTORS_BENCH_NO_TIMEOUT") == "1")
                {
                    o.ResponseTimeout = Timeout.InfiniteTimeSpan;
                }
            }));
        var provider = services.BuildServiceProvider();
        var silo = provider.GetRequiredService<Silo>();
        await silo.StartAsync();
        return (provider, silo);
    }
}
