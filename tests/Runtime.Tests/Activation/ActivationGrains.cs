using System.Collections.Concurrent;

namespace ArActors.Runtime.Tests.Activation;

public sealed class LedgerRuleViolationException(string message) : Exception(message);

public interface IFaultyGrain : IGrainWithStringKey
{
    Task Fail(string message);

    Task<string> Ok();
}

public sealed class FaultyGrain : Grain, IFaultyGrain
{
    public Task Fail(string message) => throw new LedgerRuleViolationException(message);

    public Task<string> Ok() => Task.FromResult("ok");
}

public sealed class ActivationBrokeException(string message) : Exception(message);

public interface IFlakyActivationGrain : IGrainWithStringKey
{
    Task<int> Attempt();
}

/// <summary>The first activation of each key throws from OnActivateAsync; later ones succeed.</summary>
public sealed class FlakyActivationGrain : Grain, IFlakyActivationGrain
{
    private static readonly ConcurrentDictionary<string, int> Attempts = new();
    private int _attempt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _attempt = Attempts.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        return _attempt == 1 ? throw new ActivationBrokeException("activation " + _attempt + " of " + GrainKey + " broke") : Task.CompletedTask;
    }

    public Task<int> Attempt() => Task.FromResult(_attempt);
}

public interface IConstructorFailsGrain : IGrainWithStringKey
{
    Task<string> Ok();
}

public sealed class ConstructorFailsGrain : Grain, IConstructorFailsGrain
{
    public ConstructorFailsGrain(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (FailNext.TryRemove(0, out _))
        {
            throw new InvalidOperationException("constructor refused");
        }
    }

    public static ConcurrentDictionary<int, bool> FailNext { get; } = new();

    public Task<string> Ok() => Task.FromResult("constructed");
}

public interface IActivationCountGrain : IGrainWithStringKey
{
    Task<int> ActivationsSoFar();
}

public sealed class ActivationCountGrain : Grain, IActivationCountGrain
{
    private static readonly ConcurrentDictionary<string, int> Activations = new();

    public static int Of(string key) => Activations.GetValueOrDefault(key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Activations.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        await Task.Yield();
    }

    public Task<int> ActivationsSoFar() => Task.FromResult(Of(GrainKey));
}

public interface ISlowGoodbyeGrain : IGrainWithStringKey
{
    Task<int> Generation();

    Task Leave();
}

/// <summary>Its OnDeactivateAsync waits for the test, so a call can arrive mid-deactivation.</summary>
public sealed class SlowGoodbyeGrain : Grain, ISlowGoodbyeGrain
{
    private static readonly ConcurrentDictionary<string, int> Generations = new();
    private static readonly ConcurrentDictionary<string, int> Live = new();
    private static readonly ConcurrentDictionary<string, int> MaxLive = new();
    private int _generation;

    public static int MaxLiveOf(string key) => MaxLive.GetValueOrDefault(key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _generation = Generations.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        var live = Live.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        MaxLive.AddOrUpdate(GrainKey, live, (_, n) => Math.Max(n, live));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Gates.Open($"{GrainKey}:deactivating:{_generation}");
        await Gates.WaitAsync($"{GrainKey}:goodbye:{_generation}");
        Live.AddOrUpdate(GrainKey, 0, (_, n) => n - 1);
    }

    public Task<int> Generation() => Task.FromResult(_generation);

    public Task Leave()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public sealed record ChurnState(int Count);

public interface IChurnGrain : IGrainWithStringKey
{
    Task Increment();

    Task Leave();

    Task<int> Count();
}

/// <summary>Persists every increment and tracks how many activations of its key are live at once.</summary>
public sealed class ChurnGrain([PersistentState("churn")] IPersistentState<ChurnState> state) : Grain, IChurnGrain
{
    private static readonly ConcurrentDictionary<string, int> Live = new();
    private static readonly ConcurrentDictionary<string, int> MaxLive = new();
    private static readonly ConcurrentDictionary<string, int> Activations = new();

    public static int MaxLiveOf(string key) => MaxLive.GetValueOrDefault(key);

    public static int ActivationsOf(string key) => Activations.GetValueOrDefault(key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Activations.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        var live = Live.AddOrUpdate(GrainKey, 1, (_, n) => n + 1);
        MaxLive.AddOrUpdate(GrainKey, live, (_, n) => Math.Max(n, live));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Live.AddOrUpdate(GrainKey, 0, (_, n) => n - 1);
    }

    public async Task Increment()
    {
        state.State = new ChurnState((state.State?.Count ?? 0) + 1);
        await state.WriteStateAsync();
    }

    public Task Leave()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<int> Count() => Task.FromResult(state.State?.Count ?? 0);
}
