using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ArActors.Runtime.Clustering;
using ArActors.Runtime.Clustering.Forwarding;
using ArActors.Runtime.Diagnostics;
using ArActors.Runtime.Events;
using ArActors.Runtime.Invocation;
using ArActors.Runtime.Registration;
using ArActors.Runtime.Reminders;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArActors.Runtime;

/// <summary>A grain call reached a silo that is stopped or stopping.</summary>
public sealed class SiloUnavailableException(string message) : Exception(message);

/// <summary>
/// One silo: the activation directory, the call path, idle collection, and the reminder service. Instantiable several
/// times in a process (the test cluster restarts silos against the same store).
/// </summary>
public sealed class Silo : IGrainFactory, IGrainCallInvoker, IAsyncDisposable
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _activations = new();
    private readonly ILogger _logger;
    private readonly RemoteCallClient? _remote;
    private ITimer? _collector;
    private volatile bool _stopped;
    private volatile bool _started;

    public Silo(IOptions<SiloOptions> options, GrainRegistry registry, IServiceProvider services, IEventCommitNotifier eventNotifier)
    {
        Options = options.Value;
        Registry = registry;
        Services = services;
        EventNotifier = eventNotifier;
        TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        SerializerOptions = Options.SerializerOptions;
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger<Silo>() ?? NullLogger<Silo>.Instance;
        Reminders = new ReminderService(this, Options, _logger);
        PendingCalls = new PendingCalls(Options.ResponseTimeout);
        Cluster = services.GetService<SiloCluster>();
        if (Cluster is not null)
        {
            _remote = new RemoteCallClient(Options);
            Cluster.DeclaredDead += (_, _) => OnDeclaredDead();
            Cluster.RingChanged += (_, _) => Reminders.OnRangesChanged();
        }
    }

    /// <summary>This silo's view of the cluster; null for a single-process silo (every grain is local).</summary>
    public SiloCluster? Cluster { get; }

    public SiloOptions Options { get; }

    public GrainRegistry Registry { get; }

    public IServiceProvider Services { get; }

    public TimeProvider TimeProvider { get; }

    public IEventCommitNotifier EventNotifier { get; }

    public JsonSerializerOptions SerializerOptions { get; }

    /// <summary>The store named <see cref="SiloOptions.DefaultStorageName"/>: reminders and end-of-turn events go here.</summary>
    public IDurableStore DefaultStore => GetStore(SiloOptions.DefaultStorageName);

    /// <summary>Live activations in this silo.</summary>
    public int ActivationCount => _activations.Count;

    /// <summary>Reminders held in memory now and at most so far (the window, never the whole table).</summary>
    public int RemindersInMemory => Reminders.InMemoryCount;

    public int PeakRemindersInMemory => Reminders.PeakInMemoryCount;

    internal ReminderService Reminders { get; }

    internal WorkTracker BackgroundWork { get; } = new();

    internal PendingCalls PendingCalls { get; }

    public IDurableStore GetStore(string storageName) =>
        Services.GetKeyedService<IDurableStore>(storageName)
        ?? throw new InvalidOperationException($"No durable store named '{storageName}' is registered.");

    /// <summary>Initializes every store's schema, starts idle collection and the reminder service.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var initialized = new HashSet<IDurableStore>(ReferenceEqualityComparer.Instance);
        foreach (var name in StoreNames())
        {
            var store = GetStore(name);
            if (initialized.Add(store))
            {
                await store.InitializeAsync(cancellationToken);
            }
        }

        if (Cluster is not null)
        {
            await Cluster.JoinAsync(cancellationToken);
        }

        _started = true;
        _collector = TimeProvider.CreateTimer(static s => ((Silo)s!).CollectIdleActivations(), this, Options.CollectionScanInterval, Options.CollectionScanInterval);
        await Reminders.StartAsync(cancellationToken);
        _logger.LogInformation("Silo started with {GrainClasses} grain classes", Registry.GrainClasses.Count());
    }

    /// <summary>Stops reminders and collection, lets running turns finish, deactivates every activation, then refuses calls.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped)
        {
            return;
        }

        if (Cluster is not null)
        {
            try
            {
                await Cluster.BeginShutdownAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The table is unreachable: stop anyway; the others will vote this silo out.
                _logger.LogWarning(exception, "Silo {Silo} could not announce its shutdown", Cluster.Self);
            }
        }

        await Reminders.StopAsync();
        _collector?.Dispose();
        for (var round = 0; round < 10 && !_activations.IsEmpty; round++)
        {
            var activations = _activations.Values.ToList();
            foreach (var activation in activations)
            {
                activation.RequestDeactivation(DeactivationReason.ShuttingDown);
            }

            await Task.WhenAll(activations.Select(a => a.Deactivated)).WaitAsync(cancellationToken);
        }

        _stopped = true;
        await BackgroundWork.WhenIdleAsync().WaitAsync(Options.ResponseTimeout, cancellationToken);
        if (Cluster is not null)
        {
            await Cluster.LeaveAsync(cancellationToken);
        }

        PendingCalls.Dispose();
        _remote?.Dispose();
        _logger.LogInformation("Silo stopped");
    }

    /// <summary>A crash, for tests: stops reminders and refuses calls at once, without deactivating or writing anything.</summary>
    internal async Task AbandonAsync()
    {
        _stopped = true;
        await Reminders.StopAsync();
        _collector?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_started && !_stopped)
        {
            await StopAsync();
        }

        PendingCalls.Dispose();
    }

    /// <summary>Completes when no timer tick, reminder delivery, activation or deactivation is in progress.</summary>
    public Task WhenBackgroundIdleAsync() => BackgroundWork.WhenIdleAsync();

    public TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var grainInterface = Registry.GetInterface(typeof(TGrainInterface));
        var grainClass = Registry.GetClassFor(typeof(TGrainInterface));
        return (TGrainInterface)(object)grainInterface.ProxyFactory(this, new GrainId(grainClass.GrainTypeName, key));
    }

    public Task<TResult> InvokeAsync<TResult>(GrainId target, GrainRequest<TResult> request)
    {
        if (Cluster is { } cluster && !_stopped)
        {
            if (!cluster.IsServing)
            {
                return Task.FromException<TResult>(new SiloNotServingException($"{request.MethodId} to {target} refused: {cluster.NotServingReason}."));
            }

            SiloAddress owner;
            try
            {
                owner = cluster.OwnerOf(target);
            }
            catch (SiloUnavailableException exception)
            {
                return Task.FromException<TResult>(exception);
            }

            if (owner != cluster.Self)
            {
                return ForwardAsync(owner, target, request);
            }
        }

        return InvokeLocalAsync(target, request);
    }

    /// <summary>Runs the call on an activation in this silo, whoever owns the grain.</summary>
    internal Task<TResult> InvokeLocalAsync<TResult>(GrainId target, GrainRequest<TResult> request)
    {
        if (_stopped)
        {
            return Task.FromException<TResult>(new SiloUnavailableException($"The silo is stopped; {request.MethodId} to {target} was not sent."));
        }

        var item = new CallItem<TResult>(request, target, this) { Started = Stopwatch.GetTimestamp() };
        var caller = Activity.Current;
        var activity = RuntimeInstruments.ActivitySource.StartActivity(request.MethodId, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("aractors.grain.type", target.Type);
            activity.SetTag("aractors.grain.key", target.Key);
            item.Activity = activity;

            // The span belongs to the call, not to the caller's flow: the caller's next call is its sibling.
            Activity.Current = caller;
        }

        PendingCalls.Add(item);
        var cancellation = request.CallCancellation;
        if (cancellation.CanBeCanceled)
        {
            item.Registration = cancellation.UnsafeRegister(static (s, token) => ((IWorkItem)s!).Fail(new OperationCanceledException(token)), item);
        }

        try
        {
            Dispatch(target, item);
        }
        catch (Exception exception)
        {
            item.Fail(exception);
        }

        return item.Task;
    }

    /// <summary>Delivers one reminder tick as a grain turn (activating the grain if needed).</summary>
    internal Task DeliverReminderTickAsync(GrainId grain, string reminderName, TickStatus status)
    {
        RuntimeInstruments.ReminderTicks.Add(1);

        // Local even in a cluster: this silo reads only the reminders of its own ranges, i.e. of the grains it owns.
        if (Cluster is { IsServing: false } cluster)
        {
            return Task.FromException(new SiloNotServingException($"Reminder {reminderName} of {grain} not delivered: {cluster.NotServingReason}."));
        }

        return InvokeLocalAsync(grain, new ReminderTickRequest(reminderName, status));
    }

    private async Task<TResult> ForwardAsync<TResult>(SiloAddress owner, GrainId target, GrainRequest<TResult> request)
    {
        var (notOwner, result) = await _remote!.InvokeAsync(owner, target, request);
        if (!notOwner)
        {
            return result;
        }

        // The owner's view is newer than ours: read the table, then try the owner we find once more.
        await Cluster!.RefreshAsync();
        var next = Cluster.OwnerOf(target);
        if (next == Cluster.Self)
        {
            return await InvokeLocalAsync(target, request);
        }

        (notOwner, result) = await _remote.InvokeAsync(next, target, request);
        return notOwner
            ? throw new GrainNotOwnedException($"{request.MethodId} to {target}: neither {owner} nor {next} owns the grain now; retry later.")
            : result;
    }

    /// <summary>Declared dead: another silo may already own our grains, so drop every activation without serving more.</summary>
    private void OnDeclaredDead()
    {
        _logger.LogError("Silo {Silo} was declared dead by the cluster; deactivating every grain and refusing calls", Cluster!.Self);
        foreach (var activation in _activations.Values)
        {
            activation.RequestDeactivation(DeactivationReason.ShuttingDown);
        }
    }

    internal void Dispatch(GrainId target, IWorkItem item)
    {
        while (true)
        {
            var activation = _activations.GetOrAdd(target, static (id, silo) => silo.CreateActivation(id), this);
            if (activation.TryEnqueue(item))
            {
                return;
            }

            // That activation is gone; its replacement (or a new one) takes the request.
            _activations.TryRemove(KeyValuePair.Create(target, activation));
        }
    }

    internal void Redispatch(GrainId target, IWorkItem item)
    {
        if (!item.FollowsGrain)
        {
            item.Fail(new OperationCanceledException("The timer's activation was deactivated."));
        }
        else if (_stopped)
        {
            item.Fail(new SiloUnavailableException($"The silo stopped before {target} could be reactivated."));
        }
        else
        {
            Dispatch(target, item);
        }
    }

    internal void RemoveActivation(GrainActivation activation) =>
        _activations.TryRemove(KeyValuePair.Create(activation.GrainId, activation));

    internal void OnActivated() { }

    internal void OnDeactivated(GrainActivation activation, DeactivationReason reason) =>
        _logger.LogDebug("Deactivated {GrainId} ({Reason})", activation.GrainId, reason);

    internal void LogActivationFailure(GrainId grain, Exception exception) =>
        _logger.LogWarning(exception, "Activation of {GrainId} failed", grain);

    internal void LogDeactivationFailure(GrainId grain, Exception exception) =>
        _logger.LogWarning(exception, "OnDeactivateAsync of {GrainId} failed", grain);

    internal void LogTimerFailure(GrainId grain, Exception exception)
    {
        if (exception is not OperationCanceledException)
        {
            _logger.LogWarning(exception, "A timer tick of {GrainId} failed", grain);
        }
    }

    internal void LogEventFlushFailure(GrainId grain, Exception exception) =>
        _logger.LogError(exception, "Appending the staged events of {GrainId} failed", grain);

    /// <summary>Test hook: whether <paramref name="grain"/> currently has a live activation here.</summary>
    public bool IsActive(GrainId grain) => _activations.TryGetValue(grain, out var activation) && activation.IsValid;

    /// <summary>The identity a grain interface and key resolve to.</summary>
    public GrainId GetGrainId<TGrainInterface>(string key)
        where TGrainInterface : IGrainWithStringKey => new(Registry.GetClassFor(typeof(TGrainInterface)).GrainTypeName, key);

    private GrainActivation CreateActivation(GrainId id) =>
        Registry.TryGetClass(id.Type, out var registration)
            ? new GrainActivation(this, registration, id)
            : throw new InvalidOperationException($"Grain type '{id.Type}' is not registered in this silo.");

    private void CollectIdleActivations()
    {
        foreach (var activation in _activations.Values)
        {
            var registration = activation.Registration;
            var age = Options.IdleAgeByGrainType.TryGetValue(registration.GrainTypeName, out var configured)
                ? configured
                : registration.CollectionAge ?? Options.DefaultIdleAge;
            if (activation.IsIdleFor(age))
            {
                activation.RequestDeactivation(DeactivationReason.IdleTimeout);
            }
        }
    }

    private IEnumerable<string> StoreNames() => Services.GetService<StoreNames>()?.Names ?? [SiloOptions.DefaultStorageName];
}

/// <summary>The names under which durable stores were registered, so the silo can initialize each once.</summary>
internal sealed class StoreNames
{
    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
}
