using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ArActors.Silo.Hosting;

/// <summary>Readiness: the process can reach its durable store right now.</summary>
public sealed class StoreHealthCheck(StoreProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await probe.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy(probe.Selection.Description);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"{probe.Selection.Description} unreachable", ex);
        }
    }
}
