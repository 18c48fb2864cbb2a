using System.Text.Json;
using ArActors.Runtime.Storage;
using ArActors.Runtime.Storage.Postgres;
using ArActors.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArActors.Runtime.Tests.State;

public sealed class SharedWriterTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Calls_made_while_a_write_is_in_flight_share_the_next_write_and_each_answers_only_after_it_committed()
    {
        var store = new GatedStore();
        await using var cluster = await Clusters.StartAsync(options => options.StoreFactory = () => store);
        var key = Clusters.NewKey("basket");
        var grain = cluster.GetGrain<IBasketGrain>(key);

        var hold = store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = grain.Add("a");
        await store.WriteWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var later = new[] { "b", "c", "d" }.Select(grain.Add).ToArray();
        await UntilAsync(async () => (await grain.Items()).Count == 4);

        // The three changes are in memory (the grain is reentrant) but none may answer before a write holding it commits.
        await Task.WhenAny(Task.WhenAll(later), Task.Delay(200));
        Assert.All(later, call => Assert.False(call.IsCompleted));
        Assert.False(first.IsCompleted);
        Assert.Equal(1, store.Writes);

        store.Hold = null;
        hold.SetResult();
        await Task.WhenAll([first, .. later]);

        Assert.Equal(2, store.Writes);
        Assert.Equal(["a", "b", "c", "d"], await StoredItemsAsync(cluster, store, key));
        Assert.Equal(["a", "b", "c", "d"], await PublishedItemsAsync(store, key));
    }

    [Fact]
    public async Task A_failed_shared_write_fails_every_waiting_call_commits_none_of_their_events_and_a_fresh_activation_has_the_stored_state()
    {
        var store = new GatedStore();
        await using var cluster = await Clusters.StartAsync(options => options.StoreFactory = () => store);
        var key = Clusters.NewKey("basket");
        var grain = cluster.GetGrain<IBasketGrain>(key);
        await grain.Add("a");

        var hold = store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var b = grain.Add("b");
        await store.WriteWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var c = grain.Add("c");
        await UntilAsync(async () => (await grain.Items()).Count == 3);
        store.FailWrites = true;
        store.Hold = null;
        hold.SetResult();

        await Assert.ThrowsAsync<IOException>(() => b);
        await Assert.ThrowsAsync<IOException>(() => c);
        store.FailWrites = false;
        await cluster.WhenIdleAsync();

        await grain.Add("d");
        Assert.Equal(["a", "d"], await grain.Items());
        Assert.Equal(2, await grain.Activations());
        Assert.Equal(["a", "d"], await StoredItemsAsync(cluster, store, key));
        Assert.Equal(["a", "d"], await PublishedItemsAsync(store, key));
    }

    [Fact]
    public async Task A_repeated_change_found_in_memory_answers_only_once_the_write_holding_it_committed()
    {
        var store = new GatedStore();
        await using var cluster = await Clusters.StartAsync(options => options.StoreFactory = () => store);
        var grain = cluster.GetGrain<IBasketGrain>(Clusters.NewKey("basket"));

        var hold = store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = grain.Add("a");
        await store.WriteWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var retry = grain.Add("a");

        await Task.WhenAny(retry, Task.Delay(200));
        Assert.False(retry.IsCompleted);
        store.Hold = null;
        hold.SetResult();
        await Task.WhenAll(first, retry);
        Assert.Equal(1, store.Writes);
    }

    [Fact]
    public async Task On_PostgreSQL_200_concurrent_calls_commit_in_two_writes_with_every_event_in_order()
    {
        var options = new PostgresStoreOptions { Schema = "w_" + Guid.NewGuid().ToString("N")[..12] };
        var store = new GatedStore(new PostgresStore(database.ConnectionString, TimeProvider.System, NullLogger<PostgresStore>.Instance, options));
        await using var cluster = await Clusters.StartAsync(o => o.StoreFactory = () => store);
        var key = Clusters.NewKey("basket");
        var grain = cluster.GetGrain<IBasketGrain>(key);
        var items = Enumerable.Range(0, 200).Select(i => $"item-{i:D3}").ToArray();

        var hold = store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = grain.Add(items[0]);
        await store.WriteWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var rest = items.Skip(1).Select(grain.Add).ToArray();
        await UntilAsync(async () => (await grain.Items()).Count == items.Length);
        store.Hold = null;
        hold.SetResult();
        await Task.WhenAll([first, .. rest]);

        Assert.Equal(2, store.Writes);
        var stored = await StoredItemsAsync(cluster, store, key);
        Assert.Equal(items.Order(), stored.Order());
        var events = await store.ReadAsync(BasketGrain.Topic(key), 0, 1000);
        Assert.Equal(Enumerable.Range(1, items.Length).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(stored, events.Select(e => JsonSerializer.Deserialize<ItemAdded>(e.Payload.Span, Json)!.Item));
    }

    private static async Task<string[]> StoredItemsAsync(Testing.TestCluster cluster, IDurableStore store, string key)
    {
        var id = cluster.Silo.GetGrainId<IBasketGrain>(key);
        var row = await store.ReadStateAsync(new GrainStateId(id.Type, id.Key, "basket"));
        return [.. JsonSerializer.Deserialize<Basket>(row!.Payload.Span, Json)!.Items];
    }

    private static async Task<string[]> PublishedItemsAsync(IDurableStore store, string key) =>
        [.. (await store.ReadAsync(BasketGrain.Topic(key), 0, 100)).Select(e => JsonSerializer.Deserialize<ItemAdded>(e.Payload.Span, Json)!.Item)];

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
