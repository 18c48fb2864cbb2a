namespace ArActors.Runtime.Storage;

/// <summary>
/// A store that announces events right after it commits them, so the runtime can push them to in-process live
/// subscribers without polling the log. The log itself stays the source of truth for catch-up and ordering.
/// </summary>
public interface ICommittedEventSource
{
    /// <summary>
    /// Raised once per committed transaction that carried events, with those events ordered by (topic, sequence),
    /// after COMMIT and before the writers' tasks complete. Handlers run on a writer loop: be quick, never block.
    /// Several writer loops may raise it concurrently, so consumers order by sequence, not by arrival.
    /// </summary>
    event Action<IReadOnlyList<StoredEvent>>? EventsCommitted;
}
