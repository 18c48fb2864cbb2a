using ArActors.Api.Events;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Hub;

/// <summary>The <c>ArActors:Hub</c> configuration section.</summary>
public sealed class EventHubOptions
{
    public const string SectionName = "ArActors:Hub";

    /// <summary>Live events one subscription may have waiting for its client; one more and the client must resync.</summary>
    public int BufferPerSubscription { get; set; } = 1024;
}

/// <summary>One client connection as the fan-out sees it.</summary>
public interface IEventSubscriber
{
    string Id { get; }

    Task SendAsync(EventMessage message, CancellationToken cancellationToken);

    /// <summary>Tells the client it fell behind (and from where to resume), then closes it.</summary>
    Task ResyncAndCloseAsync(ResyncRequired message, CancellationToken cancellationToken);
}

/// <summary>
/// Shares one runtime subscription per topic in this process among all subscribers of the topic. Each subscription
/// catches up from the log, then takes live events through its own bounded buffer, so a slow client only ever delays
/// itself; a client whose buffer overflows is told to resync and closed.
/// </summary>
public sealed class EventFanout(
    IEventStream stream,
    IDurableStore log,
    IOptions<EventHubOptions> options,
    ILogger<EventFanout> logger) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TopicFeed> _feeds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Subscriber, string Topic), TopicSubscription> _subscriptions = [];

    internal IEventStream Stream => stream;

    internal ILogger Logger => logger;

    /// <summary>Topics with a running runtime subscription in this process.</summary>
    public IReadOnlyList<string> FeedTopics
    {
        get
        {
            lock (_lock)
            {
                return [.. _feeds.Keys];
            }
        }
    }

    /// <summary>
    /// Sends the subscriber the topic's events after <paramref name="afterSequence"/> (null: only those committed from
    /// now on), then live ones. Subscribing again to the same topic restarts from the new position. Returns the position.
    /// </summary>
    public async Task<long> SubscribeAsync(IEventSubscriber subscriber, string topic, long? afterSequence, CancellationToken cancellationToken)
    {
        var after = afterSequence ?? await log.GetLastSequenceAsync(topic, cancellationToken);
        var subscription = new TopicSubscription(this, subscriber, topic, after, Math.Max(1, options.Value.BufferPerSubscription));
        TopicSubscription? previous;
        lock (_lock)
        {
            _subscriptions.Remove((subscriber.Id, topic), out previous);
            _subscriptions[(subscriber.Id, topic)] = subscription;
        }

        if (previous is not null)
        {
            await previous.StopAsync();
        }

        subscription.Start();
        return after;
    }

    public async Task UnsubscribeAsync(string subscriberId, string topic)
    {
        TopicSubscription? subscription;
        lock (_lock)
        {
            _subscriptions.Remove((subscriberId, topic), out subscription);
        }

        if (subscription is not null)
        {
            await subscription.StopAsync();
        }
    }

    /// <summary>Ends every subscription of a subscriber (its connection closed).</summary>
    public async Task RemoveSubscriberAsync(string subscriberId)
    {
        List<TopicSubscription> removed;
        lock (_lock)
        {
            removed = [.. _subscriptions.Where(s => s.Key.Subscriber == subscriberId).Select(s => s.Value)];
            foreach (var subscription in removed)
            {
                _subscriptions.Remove((subscriberId, subscription.Topic));
            }
        }

        foreach (var subscription in removed)
        {
            await subscription.StopAsync();
        }
    }

    /// <summary>Joins the topic's shared feed, starting it for the first subscriber; returns once the feed knows its start.</summary>
    internal Task AttachAsync(TopicSubscription subscription)
    {
        TopicFeed? feed;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(subscription.Topic, out feed))
            {
                feed = new TopicFeed(subscription.Topic, stream, log, logger);
                _feeds[subscription.Topic] = feed;
                feed.Start();
            }

            feed.Add(subscription);
        }

        return feed.Ready;
    }

    /// <summary>Leaves the feed; the last one out stops the topic's runtime subscription.</summary>
    internal void Detach(TopicSubscription subscription)
    {
        TopicFeed? stopped = null;
        lock (_lock)
        {
            if (_feeds.TryGetValue(subscription.Topic, out var feed) && feed.Remove(subscription) && feed.IsEmpty)
            {
                _feeds.Remove(subscription.Topic);
                stopped = feed;
            }
        }

        if (stopped is not null)
        {
            _ = stopped.StopAsync();
        }
    }

    /// <summary>A subscription that ended by itself (overflow, error) leaves the table so the client may subscribe again.</summary>
    internal void Forget(TopicSubscription subscription)
    {
        lock (_lock)
        {
            var key = (subscription.Subscriber.Id, subscription.Topic);
            if (_subscriptions.TryGetValue(key, out var current) && ReferenceEquals(current, subscription))
            {
                _subscriptions.Remove(key);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<TopicSubscription> all;
        lock (_lock)
        {
            all = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }

        foreach (var subscription in all)
        {
            await subscription.StopAsync();
        }
    }
}
