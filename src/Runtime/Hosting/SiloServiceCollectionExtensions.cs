using System.Reflection;
using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Leases;
using ArActors.Runtime.Events;
using ArActors.Runtime.Registration;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArActors.Runtime;

/// <summary>Configures a silo: its grain assemblies, stores and options.</summary>
public sealed class ArActorsSiloBuilder
{
    internal ArActorsSiloBuilder(IServiceCollection services, GrainRegistryBuilder registry, StoreNames storeNames)
    {
        Services = services;
        Registry = registry;
        StoreNames = storeNames;
    }

    public IServiceCollection Services { get; }

    internal GrainRegistryBuilder Registry { get; }

    internal StoreNames StoreNames { get; }

    /// <summary>Registers the grain interfaces and classes of an assembly compiled with the ArActors generator.</summary>
    public ArActorsSiloBuilder AddGrains(Assembly assembly)
    {
        Registry.AddAssembly(assembly);
        return this;
    }

    public ArActorsSiloBuilder Configure(Action<SiloOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Registers a durable store under a storage name (<see cref="SiloOptions.DefaultStorageName"/> holds reminders and events).</summary>
    public ArActorsSiloBuilder AddStore(string storageName, Func<IServiceProvider, IDurableStore> factory)
    {
        StoreNames.Names.Add(storageName);
        Services.AddKeyedSingleton(storageName, (sp, _) => factory(sp));
        return this;
    }

    /// <summary>Registers a store the caller owns and disposes (it outlives this silo, e.g. across test restarts).</summary>
    public ArActorsSiloBuilder AddStore(string storageName, IDurableStore store)
    {
        StoreNames.Names.Add(storageName);
        Services.AddKeyedSingleton(storageName, store);
        if (storageName == SiloOptions.DefaultStorageName)
        {
            // As an instance, not through the factory alias below: the container disposes what factories return, which
            // would close a caller-owned store when the silo stops (a test cluster restart then found it disposed).
            Services.TryAddSingleton(store);
        }

        return this;
    }

    /// <summary>
    /// Makes the silo a cluster member: it joins <paramref name="table"/>, owns the grains the ring gives it and
    /// forwards the others to their owners (map <c>MapSiloCalls()</c> on the endpoint named in the options).
    /// </summary>
    public ArActorsSiloBuilder UseCluster(Func<IServiceProvider, IMembershipTable> table, Action<ClusterOptions> configure)
    {
        var options = new ClusterOptions();
        configure(options);
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"ClusterOptions.Endpoint must be an absolute http(s) URL; got '{options.Endpoint}'.", nameof(configure));
        }

        Services.AddSingleton(options);
        Services.AddSingleton(sp =>
        {
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            var loggers = sp.GetService<ILoggerFactory>();
            var agent = new MembershipAgent(
                SiloAddress.ForNewProcess(options.Endpoint.TrimEnd('/'), time), table(sp), time, options.Membership, loggers?.CreateLogger<MembershipAgent>());
            return new SiloCluster(agent, options.VirtualNodesPerSilo, loggers?.CreateLogger<SiloCluster>());
        });
        return this;
    }

    /// <summary>
    /// Makes this silo a cluster client (an API-only node): it reads <paramref name="table"/>, hosts no grain and
    /// forwards every call to the silo owning the grain.
    /// </summary>
    public ArActorsSiloBuilder UseClusterClient(Func<IServiceProvider, IMembershipTable> table, MembershipOptions? membership = null)
    {
        Services.AddSingleton(sp =>
        {
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            return SiloCluster.ForClient(table(sp), time, membership, logger: sp.GetService<ILoggerFactory>()?.CreateLogger<SiloCluster>());
        });
        return this;
    }

    /// <summary>
    /// Gives the cluster a lease table, so services registered with <c>AddLeasedHostedService</c> run on one node at a
    /// time. Without it (or without a cluster) they run in every process with no lease.
    /// </summary>
    public ArActorsSiloBuilder UseLeases(Func<IServiceProvider, ILeaseTable> table, LeaseOptions? options = null)
    {
        Services.AddSingleton(table);
        Services.AddSingleton(options ?? new LeaseOptions());
        return this;
    }

    /// <summary>Wakes event readers across processes with PostgreSQL LISTEN/NOTIFY (the event log stays the source of truth).</summary>
    public ArActorsSiloBuilder UsePostgresEventNotifier(string connectionString, string channel = "aractors_events")
    {
        Services.AddSingleton(sp => new PostgresEventNotifier(connectionString, sp.GetService<ILogger<PostgresEventNotifier>>(), channel));
        Services.AddSingleton<IEventCommitNotifier>(sp => sp.GetRequiredService<PostgresEventNotifier>());
        Services.AddHostedService(sp => new EventNotifierStarter(sp.GetRequiredService<PostgresEventNotifier>()));
        return this;
    }

    public ArActorsSiloBuilder UseInMemoryStore(string storageName = SiloOptions.DefaultStorageName) =>
        AddStore(storageName, _ => new InMemoryStore());
}

public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo as a hosted service (start: store schema, reminders; stop: finish turns, deactivate everything), with
    /// <see cref="IGrainFactory"/>, <see cref="IEventStream"/> and the default <see cref="IDurableStore"/>.
    /// </summary>
    public static IServiceCollection AddArActorsSilo(this IServiceCollection services, Action<ArActorsSiloBuilder> configure)
    {
        var registry = new GrainRegistryBuilder();
        var storeNames = new StoreNames();
        var builder = new ArActorsSiloBuilder(services, registry, storeNames);
        services.AddOptions<SiloOptions>();
        configure(builder);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(storeNames);
        services.AddSingleton(_ => registry.Build());
        services.TryAddSingleton<IEventCommitNotifier, InProcessEventNotifier>();
        services.TryAddSingleton<IDurableStore>(sp => sp.GetRequiredKeyedService<IDurableStore>(SiloOptions.DefaultStorageName));
        services.AddSingleton<Silo>();
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<Silo>());
        services.TryAddSingleton<IEventStream>(sp => new EventStream(sp.GetRequiredService<IDurableStore>(), sp.GetRequiredService<IEventCommitNotifier>()));
        services.AddHostedService<SiloHostedService>();
        return services;
    }

    public static IHostApplicationBuilder AddArActorsSilo(this IHostApplicationBuilder builder, Action<ArActorsSiloBuilder> configure)
    {
        builder.Services.AddArActorsSilo(configure);
        return builder;
    }
}

/// <summary>Starts LISTEN before the silo takes calls, so readers miss no wake-up from the first commit on.</summary>
internal sealed class EventNotifierStarter(PostgresEventNotifier notifier) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        notifier.Start();
        return notifier.Listening.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Runs the silo for the lifetime of the host.</summary>
internal sealed class SiloHostedService(Silo silo) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => silo.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync(cancellationToken);
}
