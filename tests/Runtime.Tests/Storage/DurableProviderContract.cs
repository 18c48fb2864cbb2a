using System.Collections.Concurrent;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.Storage;

/// <summary>
/// What durable providers (SQLite, PostgreSQL) add to the common contract: data survives reopening, concurrent writes
/// are group-committed, and committed events are reported through <see cref="ICommittedEventSource"/>.
/// </summary>
public abstract class DurableProviderContract : DurableStoreContract
{
    [Fact]
    public async Task Events_committed_hook_reports_committed_events_before_the_write_returns()
    {
        var hook = Assert.IsAssignableFrom<ICommittedEventSource>(Store);
        var topic = NewTopic();
        var seen = new ConcurrentQueue<StoredEvent>();
        hook.EventsCommitted += events =>
        {
            foreach (var e in events.Where(e => e.Topic == topic))
            {
                seen.Enqueue(e);
            }
        };

        var id = NewId();
        var first = await Store.WriteStateAsync(id, Json("{}"), null, [Draft(topic, "Created")]);
        Assert.Equal([1L], seen.Select(e => e.Sequence));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Store.WriteStateAsync(id, Json("{}"), "stale", [Draft(topic, "Stale")]));
        await Store.AppendAsync([Draft(topic, "Appended")]);

        Assert.Equal(["Created", "Appended"], seen.Select(e => e.EventType));
        Assert.Equal([1L, 2L], seen.Select(e => e.Sequence));
        Assert.Equal(first.Events[0].Sequence, seen.First().Sequence);
    }

    [Fact]
    public async Task A_committed_write_survives_closing_and_reopening_the_store()
    {
        var id = NewId();
        var topic = NewTopic();
        var written = await Store.WriteStateAsync(id, Json("{\"durable\":true}"), null, [Draft(topic, "Persisted")]);
        var reminder = await Store.UpsertAsync(Reminder(id.GrainType, id.GrainKey, "r", 9, BaseTime));
        await Store.DisposeAsync();

        var reopened = await OpenAsync(CreateStore());

        var read = await reopened.ReadStateAsync(id);
        Assert.Equal(written.Etag, read!.Etag);
        Assert.Equal("{\"durable\":true}", Text(read.Payload));
        Assert.Equal(["Persisted"], (await reopened.ReadAsync(topic, 0, 10)).Select(e => e.EventType));
        Assert.Equal(reminder.Etag, (await reopened.ReadForGrainAsync(id.GrainType, id.GrainKey)).Single().Etag);
        await reopened.WriteStateAsync(id, Json("{}"), written.Etag, []);
    }

    [Fact]
    public async Task Concurrent_writes_with_events_are_reported_one_commit_at_a_time_in_sequence_order()
    {
        var hook = Assert.IsAssignableFrom<ICommittedEventSource>(Store);
        var statistics = Assert.IsAssignableFrom<IGroupCommitStatistics>(Store);
        var topic = NewTopic();
        var grainType = NewGrainType();
        var reported = new List<long>();
        var running = 0;
        var overlapped = false;
        hook.EventsCommitted += events =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            lock (reported)
            {
                reported.AddRange(events.Where(e => e.Topic == topic).Select(e => e.Sequence));
            }

            Thread.Sleep(1);
            Interlocked.Decrement(ref running);
        };
        var before = statistics.Transactions;

        // Every write appends to one shared topic, as every ledger change appends to topic "ledger"; twenty writers
        // write one after another, so writes keep arriving while earlier ones commit.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                await Store.WriteStateAsync(new GrainStateId(grainType, $"k{writer}-{i}", "s"), Json("{}"), null, [Draft(topic, "Changed")]);
            }
        })));

        Assert.False(overlapped);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), reported);
        Assert.InRange(statistics.Transactions - before, 1, 150);
    }

    [Fact]
    public async Task Concurrent_writes_to_shared_and_own_topics_get_gapless_sequences_consecutive_per_write()
    {
        var shared = NewTopic();
        var team = NewTopic();
        var grainType = NewGrainType();

        // As an account's ledger change: two events to the shared topic, one to a team topic, one to the account's own.
        var written = await Task.WhenAll(Enumerable.Range(0, 12).Select(writer => Task.Run(async () =>
        {
            var results = new List<StateWriteResult>();
            for (var i = 0; i < 10; i++)
            {
                var own = $"{shared}-own-{writer}";
                results.Add(await Store.WriteStateAsync(new GrainStateId(grainType, $"k{writer}-{i}", "s"), Json("{}"), null,
                    [Draft(shared, "First", $"w{writer}-{i}"), Draft(own, "Own", $"w{writer}-{i}"), Draft(team, "Team", $"w{writer}-{i}"), Draft(shared, "Second", $"w{writer}-{i}")]));
            }

            return results;
        })));

        var results = written.SelectMany(r => r).ToList();
        Assert.All(results, r =>
        {
            Assert.Equal([shared, team, shared], r.Events.Where((_, i) => i != 1).Select(e => e.Topic));
            Assert.Equal(r.Events[0].Sequence + 1, r.Events[3].Sequence);
        });
        Assert.Equal(Enumerable.Range(1, 240).Select(i => (long)i), results.SelectMany(r => new[] { r.Events[0].Sequence, r.Events[3].Sequence }).Order());
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), results.Select(r => r.Events[2].Sequence).Order());
        Assert.All(written.Select((own, writer) => (own, writer)), w =>
        {
            Assert.All(w.own, r => Assert.Equal($"{shared}-own-{w.writer}", r.Events[1].Topic));
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), w.own.Select(r => r.Events[1].Sequence));
        });

        // What each write was told is what the log holds.
        var stored = (await Store.ReadAsync(shared, 0, 1000)).Concat(await Store.ReadAsync(team, 0, 1000)).ToDictionary(e => (e.Topic, e.Sequence));
        Assert.All(results.SelectMany(r => new[] { r.Events[0], r.Events[2], r.Events[3] }), e =>
        {
            Assert.Equal(e.EventType, stored[(e.Topic, e.Sequence)].EventType);
            Assert.Equal(e.SourceGrainKey, stored[(e.Topic, e.Sequence)].SourceGrainKey);
        });
        Assert.Equal(240, await Store.GetLastSequenceAsync(shared));
    }

    [Fact]
    public async Task A_state_write_changes_its_reminders_in_its_transaction_and_not_at_all_when_its_etag_check_fails()
    {
        var store = Assert.IsAssignableFrom<GroupCommitStore>(Store);
        var id = NewId();
        var other = NewId();
        var due = BaseTime.AddMinutes(5);
        StagedReminder Upsert(GrainStateId grain, string name) => new(grain.GrainType, grain.GrainKey, name, Reminder(grain.GrainType, grain.GrainKey, name, 7, due));
        StagedReminder Removal(GrainStateId grain, string name) => new(grain.GrainType, grain.GrainKey, name, null);

        var (first, upserted) = await store.WriteOwnedStateAsync(id, Json("{\"v\":1}"), null, [], [Upsert(id, "aging"), Upsert(id, "dunning")], default);
        Assert.Equal(
            upserted.Select(e => (e.Name, e.Etag)).Order(),
            (await Store.ReadForGrainAsync(id.GrainType, id.GrainKey)).Select(e => (e.Name, e.Etag)).Order());

        // Two writes in flight together (one group-commit batch as a rule): the stale one changes no reminder, the other does.
        await store.WriteOwnedStateAsync(other, Json("{}"), null, [], [], default);
        var stale = store.WriteOwnedStateAsync(id, Json("{\"v\":2}"), "stale", [], [Removal(id, "aging"), Upsert(id, "extra")], default);
        var current = store.WriteOwnedStateAsync(other, Json("{\"v\":2}"), (await Store.ReadStateAsync(other))!.Etag, [], [Upsert(other, "aging")], default);
        await Assert.ThrowsAsync<InconsistentStateException>(() => stale);
        await current;
        Assert.Equal(["aging", "dunning"], (await Store.ReadForGrainAsync(id.GrainType, id.GrainKey)).Select(e => e.Name).Order());
        Assert.Equal(["aging"], (await Store.ReadForGrainAsync(other.GrainType, other.GrainKey)).Select(e => e.Name));
        Assert.Equal("{\"v\":1}", Text((await Store.ReadStateAsync(id))!.Payload));

        // A removal with a write that commits.
        await store.WriteOwnedStateAsync(id, Json("{\"v\":3}"), first.Etag, [], [Removal(id, "aging")], default);
        Assert.Equal(["dunning"], (await Store.ReadForGrainAsync(id.GrainType, id.GrainKey)).Select(e => e.Name));
    }

    [Fact]
    public async Task Concurrent_writes_are_group_committed_in_far_fewer_transactions()
    {
        var statistics = Assert.IsAssignableFrom<IGroupCommitStatistics>(Store);
        var grainType = NewGrainType();
        var before = statistics.Transactions;

        await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            Store.WriteStateAsync(new GrainStateId(grainType, $"k{i}", "s"), Json("{}"), null, [])));

        var transactions = statistics.Transactions - before;
        Assert.InRange(transactions, 1, 100);
    }
}
