using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Leases;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Beside AddHostedService, so a feature swaps its one registration line without a new using.
namespace Microsoft.Extensions.DependencyInjection;

public static class LeasedHostedServiceExtensions
{
    /// <summary>
    /// Hosts the registered singleton <typeparamref name="TService"/> so that it runs on one node of the cluster at a time
    /// (the holder of lease <paramref name="leaseName"/>); in a single process it runs at once, as AddHostedService would.
    /// </summary>
    public static IServiceCollection AddLeasedHostedService<TService>(this IServiceCollection services, string leaseName)
        where TService : class, IHostedService
    {
        // Not AddHostedService: it de-duplicates by implementation type, and every wrapper is a LeasedHostedService,
        // so only the first leased service of a host would run.
        services.AddSingleton<IHostedService>(sp => new LeasedHostedService(
            leaseName,
            sp.GetRequiredService<TService>(),
            sp.GetService<ILeaseTable>(),
            sp.GetService<SiloCluster>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<LeaseOptions>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger<LeasedHostedService>()));
        return services;
    }
}
