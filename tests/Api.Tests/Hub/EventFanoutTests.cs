using System.Text;
using System.Threading.Channels;
using ArActors.Api.Events;
using ArActors.Api.Hub;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.Runtime.Testing;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArActors.Api.Tests.Hub;

/// <summary>The fan-out over the real runtime event stream on PostgreSQL; subscribers are in-memory stand-ins for hub connections.</summary>
public sealed class EventFanoutTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly InProcessEventNotifier _notifier = new();
    private PostgresStore _store = null!;
    private CountingEventStream _stream = null!;

    public async Task InitializeAsync()
    {
        _store = new PostgresStore(database.ConnectionString, _clock, NullLogger<PostgresStore>.Instance);
        await _store.InitializeAsync();
        _stream = new CountingEventStream(new EventStream(_store, _notifier));
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    // The store is disposed in DisposeAsync; this only satisfies ownership analysis.
    public void Dispose()
    {
    }

    private EventFanout Fanout(int buffer = 1024) =>
        new(_stream, _store, Options.Create(new EventHubOptions { BufferPerSubscription = buffer }), NullLogger<EventFanout>.Instance);

    private static string NewTopic() => EventTopics.Account("T" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Commits events the way a grain turn does: append to the outbox, then wake live readers.</summary>
    private async Task PublishAsync(string topic, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var draft = new EventDraft(topic, "Tested", "test", topic, Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""), _clock.GetUtcNow());
            _notifier.NotifyCommitted(await _store.AppendAsync([draft]));
        }
    }

    [Fact]
    public async Task A_subscriber_gets_what_it_missed_then_live_events_without_gaps_or_duplicates()
    {
        var topic = NewTopic();
        await PublishAsync(topic, 5);
        await using var fanout = Fanout();
        var client = new RecordingSubscriber("c1");

        Assert.Equal(2, await fanout.SubscribeAsync(client, topic, 2, CancellationToken.None));
        await client.WaitForAsync(5);
        await PublishAsync(topic, 3);
        await client.WaitForAsync(8);

        Assert.Equal([3, 4, 5, 6, 7, 8], client.Sequences);
        Assert.All(client.Received, m => Assert.Equal(topic, m.Topic));
        Assert.Equal("Tested", client.Received[0].EventType);
        Assert.Equal(2, client.Received[^1].Payload.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Subscribing_while_events_commit_concurrently_delivers_each_sequence_exactly_once_in_order()
    {
        var topic = NewTopic();
        await PublishAsync(topic, 50);
        await using var fanout = Fanout();
        var publishing = Task.Run(() => PublishAsync(topic, 300));
        var clients = Enumerable.Range(0, 4).Select(i => new RecordingSubscriber("c" + i)).ToList();
        foreach (var (client, i) in clients.Select((c, i) => (c, i)))
        {
            await fanout.SubscribeAsync(client, topic, i * 10, CancellationToken.None);
        }

        await publishing;
        foreach (var (client, i) in clients.Select((c, i) => (c, i)))
        {
            await client.WaitForAsync(350);
            Assert.Equal(Enumerable.Range(i * 10 + 1, 350 - i * 10).Select(n => (long)n), client.Sequences);
        }
    }

    [Fact]
    public async Task All_subscribers_of_a_topic_share_one_runtime_subscription_which_ends_with_the_last_of_them()
    {
        var topic = NewTopic();
        await using var fanout = Fanout();
        var clients = Enumerable.Range(0, 5).Select(i => new RecordingSubscriber("c" + i)).ToList();
        foreach (var client in clients)
        {
            await fanout.SubscribeAsync(client, topic, 0, CancellationToken.None);
        }

        await PublishAsync(topic, 3);
        foreach (var client in clients)
        {
            await client.WaitForAsync(3);
            Assert.Equal([1, 2, 3], client.Sequences);
        }

        Assert.Equal(1, _stream.SubscriptionsOf(topic));
        Assert.Equal([topic], fanout.FeedTopics);

        foreach (var client in clients)
        {
            await fanout.RemoveSubscriberAsync(client.Id);
        }

        Assert.Empty(fanout.FeedTopics);
    }

    [Fact]
    public async Task A_client_that_falls_behind_is_told_to_resync_and_never_delays_the_others()
    {
        var topic = NewTopic();
        await using var fanout = Fanout(buffer: 16);
        var stuck = new RecordingSubscriber("stuck") { BlockAfter = 1 };
        var fast = new RecordingSubscriber("fast");
        await fanout.SubscribeAsync(stuck, topic, 0, CancellationToken.None);
        await fanout.SubscribeAsync(fast, topic, 0, CancellationToken.None);

        // Once the first event arrived both are past catch-up (which reads the log at the client's pace, unbuffered).
        await PublishAsync(topic, 1);
        await stuck.WaitForAsync(1);
        await fast.WaitForAsync(1);

        // Batches of 8 never fill the fast client's buffer of 16; the stuck one overflows during the third batch.
        for (var batch = 0; batch < 5; batch++)
        {
            await PublishAsync(topic, 8);
            await fast.WaitForAsync(1 + (8 * (batch + 1)));
        }

        Assert.Equal(Enumerable.Range(1, 41).Select(n => (long)n), fast.Sequences);
        var resync = await stuck.Resync.Task.WaitAsync(Patience);
        Assert.Equal(topic, resync.Topic);
        Assert.Equal(1, resync.AfterSequence);
        Assert.Contains("more than 16 events behind", resync.Reason, StringComparison.Ordinal);
        Assert.Equal([1], stuck.Sequences);
        Assert.False(fast.Resync.Task.IsCompleted);

        // The fast client keeps receiving after the stuck one was dropped.
        await PublishAsync(topic, 1);
        await fast.WaitForAsync(42);
        Assert.Equal(42, fast.Sequences[^1]);
    }

    [Fact]
    public async Task After_unsubscribing_a_client_receives_nothing_more_and_may_subscribe_again_from_where_it_was()
    {
        var topic = NewTopic();
        await using var fanout = Fanout();
        var client = new RecordingSubscriber("c1");
        await fanout.SubscribeAsync(client, topic, 0, CancellationToken.None);
        await PublishAsync(topic, 2);
        await client.WaitForAsync(2);

        await fanout.UnsubscribeAsync(client.Id, topic);
        Assert.Empty(fanout.FeedTopics);

        // A second client sees the next events arrive; the unsubscribed one must not.
        var witness = new RecordingSubscriber("c2");
        await fanout.SubscribeAsync(witness, topic, 2, CancellationToken.None);
        await PublishAsync(topic, 3);
        await witness.WaitForAsync(3);
        Assert.Equal([1, 2], client.Sequences);

        await fanout.SubscribeAsync(client, topic, 2, CancellationToken.None);
        await client.WaitForAsync(5);
        Assert.Equal([1, 2, 3, 4, 5], client.Sequences);
    }

    [Fact]
    public async Task A_subscription_without_a_position_starts_at_the_topics_head()
    {
        var topic = NewTopic();
        await PublishAsync(topic, 4);
        await using var fanout = Fanout();
        var client = new RecordingSubscriber("c1");

        Assert.Equal(4, await fanout.SubscribeAsync(client, topic, null, CancellationToken.None));
        await PublishAsync(topic, 1);
        await client.WaitForAsync(1);

        Assert.Equal([5], client.Sequences);
    }

    private sealed class RecordingSubscriber(string id) : IEventSubscriber
    {
        private readonly Lock _lock = new();
        private readonly List<EventMessage> _received = [];
        private readonly Channel<bool> _arrivals = Channel.CreateUnbounded<bool>();

        public string Id => id;

        /// <summary>After this many events, every send waits until the subscription is cancelled: a client that stopped reading.</summary>
        public int BlockAfter { get; init; } = int.MaxValue;

        public TaskCompletionSource<ResyncRequired> Resync { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<EventMessage> Received
        {
            get
            {
                lock (_lock)
                {
                    return [.. _received];
                }
            }
        }

        public IReadOnlyList<long> Sequences => [.. Received.Select(m => m.Sequence)];

        public async Task SendAsync(EventMessage message, CancellationToken cancellationToken)
        {
            if (Received.Count >= BlockAfter)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            lock (_lock)
            {
                _received.Add(message);
            }

            _arrivals.Writer.TryWrite(true);
        }

        public Task ResyncAndCloseAsync(ResyncRequired message, CancellationToken cancellationToken)
        {
            Resync.TrySetResult(message);
            return Task.CompletedTask;
        }

        /// <summary>Waits until the event with <paramref name="sequence"/> arrived (bounded, so a lost event fails the test).</summary>
        public async Task WaitForAsync(long sequence)
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (Received.Count == 0 || Received[^1].Sequence < sequence)
            {
                await _arrivals.Reader.ReadAsync(timeout.Token);
            }
        }
    }

    /// <summary>The real stream, counting how many runtime subscriptions each topic got.</summary>
    private sealed class CountingEventStream(IEventStream inner) : IEventStream
    {
        private readonly Dictionary<string, int> _subscriptions = new(StringComparer.Ordinal);

        public int SubscriptionsOf(string topic)
        {
            lock (_subscriptions)
            {
                return _subscriptions.GetValueOrDefault(topic);
            }
        }

        public IAsyncEnumerable<StoredEvent> SubscribeAsync(string topic, long afterSequence, CancellationToken cancellationToken = default)
        {
            lock (_subscriptions)
            {
                _subscriptions[topic] = _subscriptions.GetValueOrDefault(topic) + 1;
            }

            return inner.SubscribeAsync(topic, afterSequence, cancellationToken);
        }

        public Task<IReadOnlyList<StoredEvent>> ReadAsync(string topic, long afterSequence, int limit, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(topic, afterSequence, limit, cancellationToken);

        public Task<long> GetLastSequenceAsync(string topic, CancellationToken cancellationToken = default) => inner.GetLastSequenceAsync(topic, cancellationToken);
    }
}
