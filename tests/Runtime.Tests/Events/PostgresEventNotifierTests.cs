using System.Collections.Concurrent;
using ArActors.Runtime.Events;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Tests.Events;

/// <summary>Two notifiers stand for two processes (a silo and an API node) on one real PostgreSQL database.</summary>
public sealed class PostgresEventNotifierTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_commit_on_one_process_wakes_the_watchers_of_that_topic_on_another_and_no_other_topic()
    {
        var channel = "ev_" + Guid.NewGuid().ToString("N")[..12];
        var silo = await StartAsync(channel);
        var apiNode = await StartAsync(channel);
        var woken = new ConcurrentQueue<string>();
        var invoiceWoken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var invoices = apiNode.Watch("account/ACME-001", () => { woken.Enqueue("account/ACME-001"); invoiceWoken.TrySetResult(); });
        using var other = apiNode.Watch("account/OTHER", () => woken.Enqueue("account/OTHER"));

        silo.NotifyCommitted([Event("account/ACME-001", 1)]);

        await invoiceWoken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["account/ACME-001"], woken.ToArray());
    }

    [Fact]
    public async Task An_event_stream_on_another_process_yields_events_committed_by_a_silo_in_order()
    {
        var channel = "ev_" + Guid.NewGuid().ToString("N")[..12];
        var storeOptions = new PostgresStoreOptions { Schema = "e_" + Guid.NewGuid().ToString("N")[..12] };
        var siloStore = Own(new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance, storeOptions));
        var apiStore = Own(new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance, storeOptions));
        await siloStore.InitializeAsync();
        await apiStore.InitializeAsync();
        var siloNotifier = await StartAsync(channel);
        var apiNotifier = await StartAsync(channel);
        var stream = new EventStream(apiStore, apiNotifier);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var topic = "account/" + Guid.NewGuid().ToString("N");

        var received = System.Threading.Channels.Channel.CreateUnbounded<long>();
        var reading = Task.Run(async () =>
        {
            await foreach (var stored in stream.SubscribeAsync(topic, 0, timeout.Token))
            {
                await received.Writer.WriteAsync(stored.Sequence);
            }
        });

        // The first event is found by the reader's initial read; each later one is committed only after the reader got
        // the previous one and went back to waiting, so only a NOTIFY from the silo's process can wake it.
        var sequences = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var committed = await siloStore.AppendAsync([new EventDraft(topic, "PaymentApplied", "account", "ACME-001", "{}"u8.ToArray(), DateTimeOffset.UnixEpoch)]);
            siloNotifier.NotifyCommitted(committed);
            sequences.Add(await received.Reader.ReadAsync(timeout.Token));
        }

        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal([1L, 2, 3, 4, 5], sequences);
    }

    private async Task<PostgresEventNotifier> StartAsync(string channel)
    {
        var notifier = Own(new PostgresEventNotifier(database.ConnectionString, channel: channel));
        notifier.Start();
        await notifier.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        return notifier;
    }

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private static StoredEvent Event(string topic, long sequence) =>
        new(topic, sequence, "PaymentApplied", "account", "ACME-001", "{}"u8.ToArray(), DateTimeOffset.UnixEpoch);
}
