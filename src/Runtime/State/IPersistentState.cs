namespace ArActors.Runtime;

/// <summary>A named piece of a grain's durable state, injected with <see cref="PersistentStateAttribute"/>.</summary>
public interface IPersistentState<TState>
{
    TState State { get; set; }

    bool RecordExists { get; }

    string? Etag { get; }

    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Commits the state (and any staged events) durably; a stale ETag throws <see cref="Storage.InconsistentStateException"/>.</summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
