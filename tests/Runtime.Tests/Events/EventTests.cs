using System.Text.Json;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.Events;

public sealed class EventTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Events_committed_with_state_are_readable_after_a_sequence()
    {
        await using var cluster = await Clusters.StartAsync();
        var topic = Clusters.NewKey("payments");
        var grain = cluster.GetGrain<IAccountGrain>(Clusters.NewKey("acct"));

        for (var i = 1; i <= 5; i++)
        {
            await grain.ApplyPayment(topic, i * 10m, persist: true);
        }

        var tail = await cluster.Events.ReadAsync(topic, 2, 100);
        Assert.Equal([3L, 4L, 5L], tail.Select(e => e.Sequence));
        Assert.Equal([30m, 40m, 50m], tail.Select(e => Payload(e).Amount));
        Assert.All(tail, e => Assert.Equal(nameof(PaymentApplied), e.EventType));
        Assert.Equal(new AccountBalance(150m, 5), await grain.Balance());
    }

    [Fact]
    public async Task One_event_published_on_several_topics_is_committed_on_each_with_the_same_payload()
    {
        await using var cluster = await Clusters.StartAsync();
        var key = Clusters.NewKey("acct");
        string[] topics = [Clusters.NewKey("ledger"), Clusters.NewKey("account"), Clusters.NewKey("collector")];

        await cluster.GetGrain<IAccountGrain>(key).ApplyPaymentOn(topics, 25m);

        foreach (var topic in topics)
        {
            var stored = Assert.Single(await cluster.Store.ReadAsync(topic, 0, 10));
            Assert.Equal("PaymentAppliedEverywhere", stored.EventType);
            Assert.Equal(new PaymentApplied(key, 25m, 1), Payload(stored));
        }
    }

    [Fact]
    public async Task Events_staged_without_a_write_are_durable_when_the_call_returns()
    {
        await using var cluster = await Clusters.StartAsync();
        var topic = Clusters.NewKey("unsaved");
        var key = Clusters.NewKey("acct");

        await cluster.GetGrain<IAccountGrain>(key).ApplyPayment(topic, 12m, persist: false);

        var stored = Assert.Single(await cluster.Store.ReadAsync(topic, 0, 10));
        Assert.Equal(new PaymentApplied(key, 12m, 1), Payload(stored));
    }

    [Fact]
    public async Task Resubscribing_after_a_sequence_delivers_exactly_the_missed_events_in_order()
    {
        await using var cluster = await Clusters.StartAsync();
        var topic = Clusters.NewKey("resub");
        var grain = cluster.GetGrain<IAccountGrain>(Clusters.NewKey("acct"));
        for (var i = 1; i <= 3; i++)
        {
            await grain.ApplyPayment(topic, i, persist: true);
        }

        long lastSeen;
        using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            lastSeen = await cluster.Events.SubscribeAsync(topic, 0, first.Token).Take(3).Select(e => e.Sequence).LastAsync(first.Token);
        }

        for (var i = 4; i <= 7; i++)
        {
            await grain.ApplyPayment(topic, i, persist: i % 2 == 0);
        }

        using var second = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var missed = await cluster.Events.SubscribeAsync(topic, lastSeen, second.Token).Take(4).ToListAsync(second.Token);

        Assert.Equal(3, lastSeen);
        Assert.Equal([4L, 5L, 6L, 7L], missed.Select(e => e.Sequence));
        Assert.Equal([4m, 5m, 6m, 7m], missed.Select(e => Payload(e).Amount));
    }

    [Fact]
    public async Task Live_subscriber_sees_every_event_once_in_order_under_concurrent_publishers()
    {
        const int Publishers = 10;
        const int PerPublisher = 50;
        await using var cluster = await Clusters.StartAsync();
        var topic = Clusters.NewKey("live");
        var prefix = Clusters.NewKey("acct");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var subscriber = Task.Run(() => cluster.Events.SubscribeAsync(topic, 0, timeout.Token).Take(Publishers * PerPublisher).ToListAsync(timeout.Token).AsTask());

        await Task.WhenAll(Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
        {
            var grain = cluster.GetGrain<IAccountGrain>($"{prefix}-{p}");
            for (var i = 0; i < PerPublisher; i++)
            {
                await grain.ApplyPayment(topic, 1m, persist: i % 3 != 0);
            }
        })));
        var received = await subscriber;

        Assert.Equal(Enumerable.Range(1, Publishers * PerPublisher).Select(n => (long)n), received.Select(e => e.Sequence));
        foreach (var perGrain in received.Select(Payload).GroupBy(p => p.Account))
        {
            Assert.Equal(Enumerable.Range(1, PerPublisher), perGrain.Select(p => p.Number));
        }
    }

    private static PaymentApplied Payload(StoredEvent stored) => JsonSerializer.Deserialize<PaymentApplied>(stored.Payload.Span, Web)!;
}
