using ArActors.Runtime.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ArActors.Silo.Hosting;

/// <summary>Readiness: the silo's durable store answers a round trip right now.</summary>
public sealed class StoreHealthCheck(IDurableStore store, StoreSelection selection) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await store.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy(selection.Description);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"{selection.Description} unreachable", ex);
        }
    }
}
