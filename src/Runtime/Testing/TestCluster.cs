using System.Reflection;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ArActors.Runtime.Testing;

/// <summary>How a <see cref="TestCluster"/> builds its silos.</summary>
public sealed class TestClusterOptions
{
    public List<Assembly> GrainAssemblies { get; } = [];

    /// <summary>Creates the store shared by every silo the cluster starts; in-memory unless replaced (SQLite, PostgreSQL).</summary>
    public Func<IDurableStore> StoreFactory { get; set; } = () => new InMemoryStore();

    public DateTimeOffset StartTime { get; set; } = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public Action<SiloOptions>? ConfigureSilo { get; set; }

    public Action<IServiceCollection>? ConfigureServices { get; set; }
}

/// <summary>
/// An in-process cluster for tests, in the spirit of Orleans' TestingHost: one silo (a class, so later several) over a
/// shared store, a manual clock, and deterministic time advancement.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private ServiceProvider? _services;

    private TestCluster(TestClusterOptions options, IDurableStore store)
    {
        _options = options;
        Store = store;
        Clock = new ManualTimeProvider(options.StartTime);
    }

    public ManualTimeProvider Clock { get; }

    public IDurableStore Store { get; }

    /// <summary>The running silo; replaced by <see cref="RestartSiloAsync"/>.</summary>
    public Silo Silo { get; private set; } = null!;

    public IGrainFactory GrainFactory => Silo;

    public IEventStream Events => _services!.GetRequiredService<IEventStream>();

    public IServiceProvider Services => _services!;

    public static async Task<TestCluster> StartAsync(Action<TestClusterOptions> configure)
    {
        var options = new TestClusterOptions();
        configure(options);
        var cluster = new TestCluster(options, options.StoreFactory());
        await cluster.StartSiloAsync();
        return cluster;
    }

    public TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey => Silo.GetGrain<TGrainInterface>(key);

    /// <summary>Starts a fresh silo against the same store and clock (after <see cref="StopSiloAsync"/>).</summary>
    public async Task StartSiloAsync()
    {
        if (_services is not null)
        {
            throw new InvalidOperationException("A silo is already running; stop it first.");
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddArActorsSilo(silo =>
        {
            foreach (var assembly in _options.GrainAssemblies)
            {
                silo.AddGrains(assembly);
            }

            silo.AddStore(SiloOptions.DefaultStorageName, Store);
            silo.Configure(o => _options.ConfigureSilo?.Invoke(o));
        });
        _options.ConfigureServices?.Invoke(services);
        _services = services.BuildServiceProvider();
        Silo = _services.GetRequiredService<Silo>();
        await Silo.StartAsync();
        await Silo.WhenBackgroundIdleAsync();
    }

    /// <summary>Stops the silo as a host would: running turns finish, every activation deactivates.</summary>
    public async Task StopSiloAsync()
    {
        if (_services is null)
        {
            return;
        }

        await Silo.StopAsync();
        await _services.DisposeAsync();
        _services = null;
    }

    public async Task RestartSiloAsync()
    {
        await StopSiloAsync();
        await StartSiloAsync();
    }

    /// <summary>
    /// Moves the clock by <paramref name="delta"/>, stopping at every timer due on the way, and returns only when every
    /// timer tick, reminder delivery and deactivation it triggered (and the calls they made) has completed.
    /// </summary>
    public async Task AdvanceTimeAsync(TimeSpan delta)
    {
        var target = Clock.GetUtcNow() + delta;
        while (true)
        {
            await WhenIdleAsync();
            var next = Clock.NextDueAt;
            if (next is { } due && due <= target)
            {
                Clock.SetUtcNow(due < Clock.GetUtcNow() ? Clock.GetUtcNow() : due);
                continue;
            }

            if (Clock.GetUtcNow() < target)
            {
                Clock.SetUtcNow(target);
                continue;
            }

            return;
        }
    }

    /// <summary>Waits until no background work (ticks, deliveries, (de)activations) is in progress.</summary>
    public Task WhenIdleAsync() => _services is null ? Task.CompletedTask : Silo.WhenBackgroundIdleAsync();

    /// <summary>Delivers a reminder tick directly, e.g. to prove a handler is idempotent under redelivery.</summary>
    public Task DeliverReminderAsync<TGrainInterface>(string key, string reminderName, TickStatus status)
        where TGrainInterface : IGrainWithStringKey =>
        Silo.DeliverReminderTickAsync(Silo.GetGrainId<TGrainInterface>(key), reminderName, status);

    public async ValueTask DisposeAsync()
    {
        await StopSiloAsync();
        await Store.DisposeAsync();
    }
}
