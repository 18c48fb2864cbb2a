using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Events;

/// <summary>
/// Tells subscribers that events were committed to a topic. The in-process notifier is raised by the runtime's store
/// path; a cross-process one (PostgreSQL LISTEN/NOTIFY) can replace it by registering another implementation.
/// </summary>
public interface IEventCommitNotifier
{
    /// <summary>Raised after a store committed <paramref name="events"/>.</summary>
    void NotifyCommitted(IReadOnlyList<StoredEvent> events);

    /// <summary>Calls <paramref name="onCommitted"/> whenever something is committed to <paramref name="topic"/>; dispose to stop.</summary>
    IDisposable Watch(string topic, Action onCommitted);
}

/// <summary>Wakes watchers in this process only.</summary>
public sealed class InProcessEventNotifier : IEventCommitNotifier
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Action>> _watchers = new(StringComparer.Ordinal);

    public void NotifyCommitted(IReadOnlyList<StoredEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        WakeTopics(events.Select(e => e.Topic).Distinct(StringComparer.Ordinal));
    }

    /// <summary>Wakes the watchers of <paramref name="topics"/> (a commit elsewhere, or a reconnect that may have missed some).</summary>
    public void WakeTopics(IEnumerable<string> topics)
    {
        foreach (var topic in topics)
        {
            Action[] watchers;
            lock (_lock)
            {
                if (!_watchers.TryGetValue(topic, out var list))
                {
                    continue;
                }

                watchers = [.. list];
            }

            foreach (var watcher in watchers)
            {
                watcher();
            }
        }
    }

    /// <summary>Every topic someone watches now.</summary>
    public IReadOnlyList<string> WatchedTopics()
    {
        lock (_lock)
        {
            return [.. _watchers.Keys];
        }
    }

    public IDisposable Watch(string topic, Action onCommitted)
    {
        lock (_lock)
        {
            if (!_watchers.TryGetValue(topic, out var list))
            {
                _watchers[topic] = list = [];
            }

            list.Add(onCommitted);
        }

        return new Subscription(this, topic, onCommitted);
    }

    private sealed class Subscription(InProcessEventNotifier owner, string topic, Action onCommitted) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
            {
                if (owner._watchers.TryGetValue(topic, out var list) && list.Remove(onCommitted) && list.Count == 0)
                {
                    owner._watchers.Remove(topic);
                }
            }
        }
    }
}
