using ArActors.Runtime;
using ArActors.Runtime.Clustering.Forwarding;
using ArActors.Runtime.Clustering.Leases;
using ArActors.Runtime.Clustering.Postgres;

namespace ArActors.Silo.Hosting;

/// <summary>
/// Role <c>Api</c>: an API-only node; it reads the membership table, hosts no grain and forwards every call to the
/// owning silo, and its hub is woken by LISTEN/NOTIFY for events committed on the silos.
/// Role <c>Silo</c>: this process joins the PostgreSQL membership table, owns the grains the ring gives it, forwards
/// the others, wakes event readers in other processes with LISTEN/NOTIFY, and still serves the API, hub and dashboard
/// (any silo can front calls). Role <c>Combined</c> stays a single process with no cluster.
/// </summary>
public static class ClusterRole
{
    public static void Configure(IConfiguration configuration, ArActorsSiloBuilder silo)
    {
        var options = configuration.GetSection(ArActorsOptions.SectionName).Get<ArActorsOptions>() ?? new ArActorsOptions();
        var postgres = configuration.GetConnectionString(StoreSelection.PostgresConnectionName);
        if (options.Role == HostRole.Combined || string.IsNullOrWhiteSpace(postgres))
        {
            // Combined: one process, no cluster. A cluster role without PostgreSQL is refused by CheckStartupAsync.
            return;
        }

        if (options.Role == HostRole.Api)
        {
            silo.UseClusterClient(_ => new PostgresMembershipTable(postgres));
        }
        else if (EndpointOf(configuration, options) is { } endpoint)
        {
            silo.UseCluster(_ => new PostgresMembershipTable(postgres), c => c.Endpoint = endpoint);
        }
        else
        {
            return;
        }

        silo.UsePostgresEventNotifier(postgres);

        // Services registered with AddLeasedHostedService (webhook delivery, demo seeding) run on one node at a time.
        silo.UseLeases(_ => new PostgresLeaseTable(postgres));
    }

    /// <summary>The advertised URL: <c>ArActors:ClusterEndpoint</c>, else the first <c>Urls</c> entry naming a concrete host.</summary>
    public static string? EndpointOf(IConfiguration configuration, ArActorsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ClusterEndpoint))
        {
            return Uri.TryCreate(options.ClusterEndpoint, UriKind.Absolute, out var given) && given.Scheme is "http" or "https"
                ? options.ClusterEndpoint.TrimEnd('/')
                : null;
        }

        var first = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is not null && Uri.TryCreate(first, UriKind.Absolute, out var url) && url.Host is not ("0.0.0.0" or "[::]" or "+" or "*")
            ? first.TrimEnd('/')
            : null;
    }

    /// <summary>Why this configuration cannot run its role, or null.</summary>
    public static string? ProblemWith(IConfiguration configuration, ArActorsOptions options, StoreSelection store) => options.Role switch
    {
        HostRole.Combined => null,
        _ when store.Kind != StoreKind.Postgres =>
            $"ArActors:Role '{options.Role}' needs ConnectionStrings:Postgres (cluster nodes share nothing but PostgreSQL).",
        HostRole.Api => null,
        _ when EndpointOf(configuration, options) is null =>
            "ArActors:Role 'Silo' needs ArActors:ClusterEndpoint, the http(s) URL other silos reach this one at (Urls binds to no concrete host).",
        _ => null,
    };

    /// <summary>Maps the endpoint other silos forward grain calls to, when this process is a cluster silo.</summary>
    public static IEndpointRouteBuilder MapArActorsCluster(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetRequiredService<ArActors.Runtime.Silo>().Cluster is { IsClient: false })
        {
            endpoints.MapSiloCalls();
        }

        return endpoints;
    }
}
