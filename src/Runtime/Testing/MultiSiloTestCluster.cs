using System.Reflection;
using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Forwarding;
using ArActors.Runtime.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArActors.Runtime.Testing;

/// <summary>How a <see cref="MultiSiloTestCluster"/> builds each silo.</summary>
public sealed class MultiSiloTestClusterOptions
{
    public List<Assembly> GrainAssemblies { get; } = [];

    /// <summary>A store per silo (each silo gets its own instance, as separate processes would), all over the same data.</summary>
    public required Func<IDurableStore> StoreFactory { get; init; }

    /// <summary>The membership table every silo joins.</summary>
    public required IMembershipTable MembershipTable { get; init; }

    /// <summary>A free loopback port per silo.</summary>
    public required Func<int> NextPort { get; init; }

    public DateTimeOffset StartTime { get; set; } = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public MembershipOptions Membership { get; set; } = new();

    public Action<SiloOptions>? ConfigureSilo { get; set; }

    /// <summary>
    /// The clock every silo runs on; null: <see cref="MultiSiloTestCluster.Clock"/>, the manual one. Benchmarks that
    /// measure wall time (failover) pass <see cref="TimeProvider.System"/> and never advance the manual clock.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }
}

/// <summary>
/// N in-process silos, each with its own Kestrel endpoint, store instance and membership agent, sharing one membership
/// table, one database and one manual clock. Calls between them travel over real HTTP.
/// </summary>
public sealed class MultiSiloTestCluster(MultiSiloTestClusterOptions options) : IAsyncDisposable
{
    private readonly List<Member> _members = [];

    public ManualTimeProvider Clock { get; } = new(options.StartTime);

    /// <summary>Every silo started so far, running or not, in start order.</summary>
    public IReadOnlyList<Silo> Silos => [.. _members.Select(m => m.Silo)];

    public IEnumerable<Silo> Running => _members.Where(m => m.Running).Select(m => m.Silo);

    /// <summary>Starts a silo; unless <paramref name="refreshOthers"/> is false, every running silo then re-reads the table.</summary>
    public async Task<Silo> StartSiloAsync(bool refreshOthers = true, IMembershipTable? tableOverride = null)
    {
        var endpoint = $"http://127.0.0.1:{options.NextPort()}";
        var silo = await StartNodeAsync(endpoint, servesCalls: true, silo => silo.UseCluster(_ => tableOverride ?? options.MembershipTable, c =>
        {
            c.Endpoint = endpoint;
            c.Membership = options.Membership;
        }));
        if (refreshOthers)
        {
            await RefreshAllAsync();
        }

        return silo;
    }

    /// <summary>Starts a cluster client (an API-only node): it hosts no grain and forwards every call.</summary>
    public Task<Silo> StartClientAsync() =>
        StartNodeAsync($"http://127.0.0.1:{options.NextPort()}", servesCalls: false, silo => silo.UseClusterClient(_ => options.MembershipTable, options.Membership));

    /// <summary>One node on its own Kestrel endpoint, the test clock and a store of its own over the shared database.</summary>
    private async Task<Silo> StartNodeAsync(string endpoint, bool servesCalls, Action<ArActorsSiloBuilder> joinCluster)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(endpoint);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(options.TimeProvider ?? Clock);
        var store = options.StoreFactory();
        builder.Services.AddArActorsSilo(silo =>
        {
            foreach (var assembly in options.GrainAssemblies)
            {
                silo.AddGrains(assembly);
            }

            silo.AddStore(SiloOptions.DefaultStorageName, store);
            silo.Configure(o => options.ConfigureSilo?.Invoke(o));
            joinCluster(silo);
        });
        var app = builder.Build();
        if (servesCalls)
        {
            app.MapSiloCalls();
        }

        await app.StartAsync();
        var member = new Member(app, app.Services.GetRequiredService<Silo>(), store);
        _members.Add(member);
        return member.Silo;
    }

    /// <summary>Every running silo reads the membership table now, so all views agree.</summary>
    public async Task RefreshAllAsync()
    {
        foreach (var member in _members.Where(m => m.Running))
        {
            await member.Silo.Cluster!.RefreshAsync();
        }
    }

    /// <summary>Graceful stop: activations deactivate, the silo leaves the table (ShuttingDown, then Dead).</summary>
    public async Task StopSiloAsync(Silo silo)
    {
        var member = _members.Single(m => m.Silo == silo);
        await member.StopAsync();
        await RefreshAllAsync();
    }

    /// <summary>A crash: the silo stops heartbeating and its HTTP endpoint goes away without leaving the table.</summary>
    public async Task KillSiloAsync(Silo silo)
    {
        var member = _members.Single(m => m.Silo == silo);
        await silo.Cluster!.KillAsync();
        await silo.AbandonAsync();
        await member.StopAsync();
    }

    /// <summary>Moves the clock in steps, letting every membership round and silo background work finish after each.</summary>
    public async Task AdvanceAsync(TimeSpan duration, TimeSpan? step = null)
    {
        var end = Clock.GetUtcNow() + duration;
        while (Clock.GetUtcNow() < end)
        {
            var next = Clock.GetUtcNow() + (step ?? ClusterTestHost.DefaultStep);
            Clock.SetUtcNow(next < end ? next : end);
            await SettleAsync();
        }
    }

    /// <summary>Advances until <paramref name="condition"/> holds; the time it took, or null after <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> AdvanceUntilAsync(Func<bool> condition, TimeSpan limit, TimeSpan? step = null)
    {
        var start = Clock.GetUtcNow();
        while (!condition())
        {
            if (Clock.GetUtcNow() - start >= limit)
            {
                return null;
            }

            await AdvanceAsync(step ?? ClusterTestHost.DefaultStep, step);
        }

        return Clock.GetUtcNow() - start;
    }

    public async Task SettleAsync()
    {
        foreach (var member in _members.Where(m => m.Running))
        {
            if (!member.Silo.Cluster!.IsClient)
            {
                await member.Silo.Cluster.Agent.WhenIdleAsync();
            }

            await member.Silo.WhenBackgroundIdleAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.StopAsync();
            await member.Store.DisposeAsync();
        }
    }

    private sealed class Member(WebApplication app, Silo silo, IDurableStore store)
    {
        public Silo Silo { get; } = silo;

        public IDurableStore Store { get; } = store;

        public bool Running { get; private set; } = true;

        public async Task StopAsync()
        {
            if (!Running)
            {
                return;
            }

            Running = false;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
