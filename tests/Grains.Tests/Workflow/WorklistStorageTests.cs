using System.Text.Json;
using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;
using ArActors.Runtime.Storage;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>A worklist is stored in shard rows by customer id: an update rewrites one small row, a restart reads them all back.</summary>
public sealed class WorklistStorageTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly PriorityInputs PastDue = new(500m, new DateOnly(2026, 2, 1), CustomerSegment.Corporate);

    private static GrainStateId Row(string collector, int shard) => new("collector-queue", collector, CollectorQueueGrain.ShardName(shard));

    private static async Task<Dictionary<int, StoredState>> RowsAsync(LedgerCluster ledger, string collector)
    {
        var rows = new Dictionary<int, StoredState>();
        for (var shard = 0; shard < CollectorQueueGrain.ShardCount; shard++)
        {
            if (await ledger.Cluster.Store.ReadStateAsync(Row(collector, shard)) is { } row)
            {
                rows[shard] = row;
            }
        }

        return rows;
    }

    private static CollectorQueueState Read(LedgerCluster ledger, StoredState row) =>
        JsonSerializer.Deserialize<CollectorQueueState>(row.Payload.Span, ledger.Cluster.Silo.SerializerOptions)!;

    [Fact]
    public async Task An_update_rewrites_only_its_accounts_shard_row_and_a_restarted_silo_reads_every_shard_back()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var collector = LedgerCluster.NewId("col");
        var queue = ledger.Cluster.GetGrain<ICollectorQueueGrain>(collector);
        var customers = Enumerable.Range(0, 200).Select(i => $"C-{i:D3}").ToArray();
        await Task.WhenAll(customers.Select((c, i) => queue.Update(new WorklistUpdate(c, c, "north", "EUR", 1, PastDue with { PastDueAmount = 100m + i }))));
        var before = (await queue.Top(1000, null)).Entries;

        var rows = await RowsAsync(ledger, collector);
        Assert.True(rows.Count > CollectorQueueGrain.ShardCount / 2, $"200 accounts spread over {rows.Count} shard rows");
        foreach (var (shard, row) in rows)
        {
            Assert.All(Read(ledger, row).Entries.Keys, c => Assert.Equal(shard, CollectorQueueGrain.ShardOf(c)));
        }

        Assert.Equal(customers.Order(), rows.Values.SelectMany(r => Read(ledger, r).Entries.Keys).Order());

        var changed = customers[17];
        await queue.Update(new WorklistUpdate(changed, changed, "north", "EUR", 2, PastDue with { PastDueAmount = 90_000m }));
        var after = await RowsAsync(ledger, collector);
        var rewritten = after.Where(pair => pair.Value.Etag != rows[pair.Key].Etag).Select(pair => pair.Key);
        Assert.Equal([CollectorQueueGrain.ShardOf(changed)], rewritten);

        await ledger.Cluster.RestartSiloAsync();
        var reloaded = await ledger.Cluster.GetGrain<ICollectorQueueGrain>(collector).Top(1000, null);
        Assert.Equal(200, reloaded.Total);
        Assert.Equal(changed, reloaded.Entries[0].CustomerId);
        Assert.Equal(before.Where(e => e.CustomerId != changed).Select(e => e.CustomerId), reloaded.Entries.Skip(1).Select(e => e.CustomerId));
    }

    [Fact]
    public async Task A_worklist_stored_as_one_row_by_an_earlier_release_is_split_into_shards_when_it_activates()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var collector = LedgerCluster.NewId("col");
        var today = new DateOnly(2026, 3, 1);
        var entries = new[] { "OLD-1", "OLD-2", "OLD-3" }.Select((c, i) => new WorklistEntry(c, c, "north", "EUR", PastDue with { PastDueAmount = 100m * (i + 1) },
            Priority.Score(PastDue with { PastDueAmount = 100m * (i + 1) }, today), today)).ToArray();
        var whole = new CollectorQueueState
        {
            Entries = entries.ToImmutableDictionary(e => e.CustomerId),
            Versions = entries.ToImmutableDictionary(e => e.CustomerId, _ => 4L).Add("GONE-1", 9),
            NextActions = ImmutableDictionary<string, DateOnly>.Empty.Add("OLD-2", new DateOnly(2026, 3, 5)),
        };
        var legacy = new GrainStateId("collector-queue", collector, "collector-queue");
        await ledger.Cluster.Store.WriteStateAsync(legacy, JsonSerializer.SerializeToUtf8Bytes(whole, ledger.Cluster.Silo.SerializerOptions), null, []);

        var queue = ledger.Cluster.GetGrain<ICollectorQueueGrain>(collector);
        Assert.Equal(["OLD-3", "OLD-2", "OLD-1"], (await queue.Top(10, null)).Entries.Select(e => e.CustomerId));

        Assert.Null(await ledger.Cluster.Store.ReadStateAsync(legacy));
        var parts = (await RowsAsync(ledger, collector)).Values.Select(r => Read(ledger, r)).ToList();
        Assert.Equal(["OLD-1", "OLD-2", "OLD-3"], parts.SelectMany(p => p.Entries.Keys).Order());
        Assert.Equal(9, parts.Single(p => p.Versions.ContainsKey("GONE-1")).Versions["GONE-1"]);
        Assert.Equal(new DateOnly(2026, 3, 5), parts.Single(p => p.NextActions.ContainsKey("OLD-2")).NextActions["OLD-2"]);

        // The versions came along: an older push of a split account is still ignored, a newer one applies.
        await queue.Update(new WorklistUpdate("OLD-1", "OLD-1", "north", "EUR", 3, PastDue with { PastDueAmount = 1_000_000m }));
        Assert.Equal("OLD-3", (await queue.Top(1, null)).Entries[0].CustomerId);
        await queue.Update(new WorklistUpdate("OLD-1", "OLD-1", "north", "EUR", 5, PastDue with { PastDueAmount = 1_000_000m }));
        Assert.Equal("OLD-1", (await queue.Top(1, null)).Entries[0].CustomerId);
    }
}
