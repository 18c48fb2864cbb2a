namespace ArActors.Runtime;

/// <summary>What generated activators use to build a grain: its identity, persistent state slots and services.</summary>
public interface IGrainActivationContext
{
    GrainId GrainId { get; }

    IServiceProvider Services { get; }

    /// <summary>The state slot for a <c>[PersistentState]</c> parameter; loaded before <c>OnActivateAsync</c>.</summary>
    IPersistentState<TState> GetPersistentState<TState>(string stateName, string storageName, Func<TState>? createDefault);

    /// <summary>A required service for a constructor parameter.</summary>
    TService GetService<TService>()
        where TService : notnull;
}

/// <summary>Why an activation is going away; passed to <see cref="Grain.OnDeactivateAsync"/>.</summary>
public enum DeactivationReason
{
    IdleTimeout,
    ApplicationRequested,
    StateConflict,
    ShuttingDown,
}
