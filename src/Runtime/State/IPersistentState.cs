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

public static class PersistentStateExtensions
{
    /// <summary>
    /// Sets <paramref name="next"/> and writes it; if the write fails, <see cref="IPersistentState{T}.State"/> is put back
    /// to what it was, so memory never holds a state the store does not (a retry then finds the change still to make).
    /// </summary>
    public static async Task WriteStateAsync<T>(this IPersistentState<T> state, T next, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }
}
