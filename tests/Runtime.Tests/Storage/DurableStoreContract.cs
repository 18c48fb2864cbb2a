using System.Collections.Concurrent;
using System.Text;
using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IDurableStore"/> provider must have, the in-memory one included. A provider's test class
/// derives from this (or from <see cref="DurableProviderContract"/> for durable providers) and says how to create its store;
/// each test uses its own grain types, keys and topics, so tests never depend on order.
/// </summary>
public abstract class DurableStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset BaseTime = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly List<IDurableStore> _opened = [];

    protected IDurableStore Store { get; private set; } = null!;

    /// <summary>False for stores that forget everything when disposed; the reopen test then has nothing to check.</summary>
    protected virtual bool Persists => true;

    /// <summary>A new, not yet initialized store over this test class's shared storage (file, database).</summary>
    protected abstract IDurableStore CreateStore();

    /// <summary>New storage nobody has initialized yet: each call of the returned factory opens another store on it.</summary>
    protected abstract Func<IDurableStore> CreateFreshStorage();

    public async Task InitializeAsync()
    {
        Store = await OpenAsync(CreateStore());
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reading_a_missing_state_returns_null()
    {
        Assert.Null(await Store.ReadStateAsync(NewId()));
    }

    [Fact]
    public async Task Write_with_null_etag_creates_and_round_trips_the_payload_bytes()
    {
        var id = NewId();
        var payload = new byte[] { 0, 1, 2, 250, 255, (byte)'{', (byte)'}' };

        var result = await Store.WriteStateAsync(id, payload, null, []);
        var read = await Store.ReadStateAsync(id);

        Assert.NotNull(read);
        Assert.Equal(payload, read.Payload.ToArray());
        Assert.Equal(result.Etag, read.Etag);
        Assert.Empty(result.Events);
    }

    [Fact]
    public async Task An_empty_payload_round_trips()
    {
        var id = NewId();
        await Store.WriteStateAsync(id, ReadOnlyMemory<byte>.Empty, null, []);

        var read = await Store.ReadStateAsync(id);

        Assert.NotNull(read);
        Assert.Equal(0, read.Payload.Length);
    }

    [Fact]
    public async Task Each_write_gets_a_new_etag_and_the_latest_payload_wins()
    {
        var id = NewId();
        var first = await Store.WriteStateAsync(id, Json("{\"v\":1}"), null, []);
        var second = await Store.WriteStateAsync(id, Json("{\"v\":2}"), first.Etag, []);

        var read = await Store.ReadStateAsync(id);

        Assert.NotEqual(first.Etag, second.Etag);
        Assert.Equal(second.Etag, read!.Etag);
        Assert.Equal("{\"v\":2}", Text(read.Payload));
    }

    [Fact]
    public async Task A_stale_etag_write_conflicts_changes_nothing_and_appends_no_events()
    {
        var id = NewId();
        var topic = NewTopic();
        var first = await Store.WriteStateAsync(id, Json("{\"v\":1}"), null, []);
        await Store.WriteStateAsync(id, Json("{\"v\":2}"), first.Etag, []);
        var current = await Store.ReadStateAsync(id);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => Store.WriteStateAsync(id, Json("{\"v\":3}"), first.Etag, [Draft(topic, "Stale")]));

        var after = await Store.ReadStateAsync(id);
        Assert.Equal(current!.Etag, after!.Etag);
        Assert.Equal("{\"v\":2}", Text(after.Payload));
        Assert.Equal(0, await Store.GetLastSequenceAsync(topic));
        Assert.Empty(await Store.ReadAsync(topic, 0, 10));
        Assert.Equal(first.Etag, conflict.ExpectedEtag);
        Assert.Equal(current.Etag, conflict.CurrentEtag);
    }

    [Fact]
    public async Task A_null_etag_write_on_an_existing_row_conflicts()
    {
        var id = NewId();
        var created = await Store.WriteStateAsync(id, Json("{\"v\":1}"), null, []);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Store.WriteStateAsync(id, Json("{\"v\":2}"), null, []));

        var read = await Store.ReadStateAsync(id);
        Assert.Equal(created.Etag, read!.Etag);
        Assert.Equal("{\"v\":1}", Text(read.Payload));
    }

    [Fact]
    public async Task A_write_naming_an_etag_for_a_missing_row_conflicts()
    {
        var id = NewId();

        await Assert.ThrowsAsync<InconsistentStateException>(() => Store.WriteStateAsync(id, Json("{}"), "no-such-etag", []));

        Assert.Null(await Store.ReadStateAsync(id));
    }

    [Fact]
    public async Task Clear_with_the_right_etag_deletes_and_a_null_etag_write_then_creates_again()
    {
        var id = NewId();
        var written = await Store.WriteStateAsync(id, Json("{\"v\":1}"), null, []);

        await Store.ClearStateAsync(id, written.Etag);
        Assert.Null(await Store.ReadStateAsync(id));

        var recreated = await Store.WriteStateAsync(id, Json("{\"v\":2}"), null, []);
        var read = await Store.ReadStateAsync(id);
        Assert.Equal(recreated.Etag, read!.Etag);
        Assert.Equal("{\"v\":2}", Text(read.Payload));
    }

    [Fact]
    public async Task Clear_with_a_stale_etag_conflicts_and_keeps_the_row()
    {
        var id = NewId();
        var first = await Store.WriteStateAsync(id, Json("{\"v\":1}"), null, []);
        var second = await Store.WriteStateAsync(id, Json("{\"v\":2}"), first.Etag, []);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Store.ClearStateAsync(id, first.Etag));

        Assert.Equal(second.Etag, (await Store.ReadStateAsync(id))!.Etag);
    }

    [Fact]
    public async Task Clear_with_a_null_etag_succeeds_only_when_there_is_no_row()
    {
        var missing = NewId();
        await Store.ClearStateAsync(missing, null);
        Assert.Null(await Store.ReadStateAsync(missing));

        var existing = NewId();
        var written = await Store.WriteStateAsync(existing, Json("{}"), null, []);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Store.ClearStateAsync(existing, null));
        Assert.Equal(written.Etag, (await Store.ReadStateAsync(existing))!.Etag);
    }

    [Fact]
    public async Task Two_hundred_concurrent_writes_to_different_ids_all_succeed()
    {
        var grainType = NewGrainType();
        var ids = Enumerable.Range(0, 200).Select(i => new GrainStateId(grainType, $"k{i}", "state")).ToList();

        var results = await Task.WhenAll(ids.Select(id => Store.WriteStateAsync(id, Json($"{{\"key\":\"{id.GrainKey}\"}}"), null, [])));

        Assert.Equal(200, results.Select(r => r.Etag).Distinct().Count());
        for (var i = 0; i < ids.Count; i++)
        {
            var read = await Store.ReadStateAsync(ids[i]);
            Assert.Equal(results[i].Etag, read!.Etag);
            Assert.Equal($"{{\"key\":\"{ids[i].GrainKey}\"}}", Text(read.Payload));
        }
    }

    [Fact]
    public async Task A_conflicting_write_in_a_concurrent_batch_fails_alone()
    {
        var grainType = NewGrainType();
        var topic = NewTopic();
        var contested = new GrainStateId(grainType, "contested", "state");
        var existing = await Store.WriteStateAsync(contested, Json("{\"v\":0}"), null, []);
        var ids = Enumerable.Range(0, 100).Select(i => new GrainStateId(grainType, $"k{i}", "state")).ToList();

        // All issued at once so they share batches: 100 good creates, one create of an existing row, one stale update.
        var good = ids.Select(id => Store.WriteStateAsync(id, Json("{}"), null, [Draft(topic, "Created", id.GrainKey)])).ToList();
        var duplicate = Store.WriteStateAsync(contested, Json("{\"v\":1}"), null, [Draft(topic, "Bad")]);
        var stale = Store.WriteStateAsync(contested, Json("{\"v\":2}"), "stale", [Draft(topic, "Bad")]);

        await Assert.ThrowsAsync<InconsistentStateException>(() => duplicate);
        await Assert.ThrowsAsync<InconsistentStateException>(() => stale);
        var results = await Task.WhenAll(good);

        Assert.All(results, r => Assert.Single(r.Events));
        Assert.Equal(existing.Etag, (await Store.ReadStateAsync(contested))!.Etag);
        var events = await Store.ReadAsync(topic, 0, 1000);
        Assert.Equal(100, events.Count);
        Assert.DoesNotContain(events, e => e.EventType == "Bad");
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Concurrent_appends_to_one_topic_get_gapless_sequences_in_order()
    {
        var topic = NewTopic();

        var appended = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => Store.AppendAsync([Draft(topic, "Appended", $"a{i}-0"), Draft(topic, "Appended", $"a{i}-1")]))));

        var sequences = appended.SelectMany(a => a.Select(e => e.Sequence)).OrderBy(s => s).ToList();
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), sequences);
        // One append's events are consecutive: they were committed together.
        Assert.All(appended, a => Assert.Equal(a[0].Sequence + 1, a[1].Sequence));

        var read = await Store.ReadAsync(topic, 0, 1000);
        Assert.Equal(sequences, read.Select(e => e.Sequence));
        var byKey = appended.SelectMany(a => a).ToDictionary(e => e.Sequence, e => e.SourceGrainKey);
        Assert.All(read, e => Assert.Equal(byKey[e.Sequence], e.SourceGrainKey));
        Assert.Equal(100, await Store.GetLastSequenceAsync(topic));
    }

    [Fact]
    public async Task Reading_after_a_sequence_returns_exactly_the_rest_and_honours_the_limit()
    {
        var topic = NewTopic();
        for (var i = 0; i < 10; i++)
        {
            await Store.AppendAsync([Draft(topic, $"E{i}")]);
        }

        var rest = await Store.ReadAsync(topic, 6, 100);
        var limited = await Store.ReadAsync(topic, 2, 3);

        Assert.Equal([7L, 8L, 9L, 10L], rest.Select(e => e.Sequence));
        Assert.Equal(["E6", "E7", "E8", "E9"], rest.Select(e => e.EventType));
        Assert.Equal([3L, 4L, 5L], limited.Select(e => e.Sequence));
        Assert.Empty(await Store.ReadAsync(topic, 10, 100));
    }

    [Fact]
    public async Task Last_sequence_is_zero_for_an_unknown_topic_and_tracks_appends()
    {
        var topic = NewTopic();
        Assert.Equal(0, await Store.GetLastSequenceAsync(topic));

        await Store.AppendAsync([Draft(topic, "A"), Draft(topic, "B"), Draft(topic, "C")]);

        Assert.Equal(3, await Store.GetLastSequenceAsync(topic));
    }

    [Fact]
    public async Task Events_written_with_state_are_committed_with_it_and_read_back_intact()
    {
        var id = NewId();
        var topicA = NewTopic();
        var topicB = NewTopic();
        var at = BaseTime.AddMinutes(3);
        var drafts = new[]
        {
            new EventDraft(topicA, "InvoiceIssued", id.GrainType, id.GrainKey, Json("{\"n\":1}"), at),
            new EventDraft(topicB, "LedgerPosted", id.GrainType, id.GrainKey, Json("{\"n\":2}"), at.AddSeconds(1)),
            new EventDraft(topicA, "InvoiceSent", id.GrainType, id.GrainKey, Json("{\"n\":3}"), at.AddSeconds(2)),
        };

        var result = await Store.WriteStateAsync(id, Json("{\"s\":1}"), null, drafts);

        Assert.Equal([(topicA, 1L), (topicB, 1L), (topicA, 2L)], result.Events.Select(e => (e.Topic, e.Sequence)));
        var readA = await Store.ReadAsync(topicA, 0, 10);
        Assert.Equal(["InvoiceIssued", "InvoiceSent"], readA.Select(e => e.EventType));
        Assert.Equal("{\"n\":3}", Text(readA[1].Payload));
        Assert.Equal(at.AddSeconds(2), readA[1].Timestamp);
        Assert.Equal(id.GrainType, readA[0].SourceGrainType);
        Assert.Equal(id.GrainKey, readA[0].SourceGrainKey);
        Assert.Equal(1, await Store.GetLastSequenceAsync(topicB));
        Assert.Equal(result.Etag, (await Store.ReadStateAsync(id))!.Etag);
    }

    [Fact]
    public async Task Reminders_upsert_read_replace_and_remove()
    {
        var grainType = NewGrainType();
        var due = BaseTime.AddMinutes(5);
        var created = await Store.UpsertAsync(Reminder(grainType, "g1", "dunning", 42, due));
        await Store.UpsertAsync(Reminder(grainType, "g1", "aging", 42, due));
        await Store.UpsertAsync(Reminder(grainType, "g2", "dunning", 43, due));

        var forG1 = await Store.ReadForGrainAsync(grainType, "g1");
        Assert.Equal(["aging", "dunning"], forG1.Select(r => r.Name).Order(StringComparer.Ordinal));
        var read = forG1.Single(r => r.Name == "dunning");
        Assert.Equal(created.Etag, read.Etag);
        Assert.Equal(due, read.NextDue);
        Assert.Equal(due, read.FirstDue);
        Assert.Equal(TimeSpan.FromHours(1), read.Period);
        Assert.Equal(42u, read.Hash);

        var replaced = await Store.UpsertAsync(created with { Period = TimeSpan.FromDays(1), NextDue = due.AddDays(1), Hash = uint.MaxValue });
        Assert.NotEqual(created.Etag, replaced.Etag);
        var reread = (await Store.ReadForGrainAsync(grainType, "g1")).Single(r => r.Name == "dunning");
        Assert.Equal(replaced.Etag, reread.Etag);
        Assert.Equal(TimeSpan.FromDays(1), reread.Period);
        Assert.Equal(due.AddDays(1), reread.NextDue);
        Assert.Equal(uint.MaxValue, reread.Hash);

        Assert.True(await Store.RemoveAsync(grainType, "g1", "dunning"));
        Assert.False(await Store.RemoveAsync(grainType, "g1", "dunning"));
        Assert.Equal(["aging"], (await Store.ReadForGrainAsync(grainType, "g1")).Select(r => r.Name));
        Assert.Single(await Store.ReadForGrainAsync(grainType, "g2"));
    }

    [Fact]
    public async Task Read_due_returns_only_due_reminders_ordered_by_due_time_then_key()
    {
        var grainType = NewGrainType();
        var t0 = BaseTime.AddYears(-5).AddTicks(Random.Shared.Next(1, 1_000_000) * 10L);
        await Store.UpsertAsync(Reminder(grainType, "b", "r", 1, t0.AddMinutes(2)));
        await Store.UpsertAsync(Reminder(grainType, "a", "r", 2, t0.AddMinutes(2)));
        await Store.UpsertAsync(Reminder(grainType, "c", "r", 3, t0.AddMinutes(1)));
        await Store.UpsertAsync(Reminder(grainType, "a", "q", 4, t0.AddMinutes(2)));
        await Store.UpsertAsync(Reminder(grainType, "d", "r", 5, t0.AddMinutes(3).AddTicks(10)));

        var due = await ReadAllDueAsync(t0.AddMinutes(3), HashRange.Full, grainType, pageSize: 1000);

        Assert.Equal(["c/r", "a/q", "a/r", "b/r"], due.Select(r => $"{r.GrainKey}/{r.Name}"));
    }

    [Fact]
    public async Task Read_due_filters_by_hash_range_including_ranges_that_wrap_around_zero()
    {
        var grainType = NewGrainType();
        var due = BaseTime.AddYears(-4);
        uint[] hashes = [0, 5, 100, 1000, uint.MaxValue - 10, uint.MaxValue];
        foreach (var hash in hashes)
        {
            await Store.UpsertAsync(Reminder(grainType, $"h{hash}", "r", hash, due));
        }

        var plain = await ReadAllDueAsync(due, new HashRange(5, 1000), grainType, pageSize: 1000);
        var wrapped = await ReadAllDueAsync(due, new HashRange(uint.MaxValue - 10, 5), grainType, pageSize: 1000);
        var single = await ReadAllDueAsync(due, new HashRange(100, 100), grainType, pageSize: 1000);

        Assert.Equal([5u, 100u, 1000u], plain.Select(r => r.Hash).Order());
        Assert.Equal([0u, 5u, uint.MaxValue - 10, uint.MaxValue], wrapped.Select(r => r.Hash).Order());
        Assert.Equal([100u], single.Select(r => r.Hash));

        // Whatever else the table holds, nothing outside the range comes back.
        var range = new HashRange(uint.MaxValue - 10, 5);
        var page = await Store.ReadDueAsync(BaseTime.AddYears(10), range, 10_000);
        Assert.All(page, r => Assert.True(range.Contains(r.Hash)));
    }

    [Fact]
    public async Task Read_due_in_ranges_pages_through_exactly_the_union_of_a_silos_ring_ranges_in_order()
    {
        var grainType = NewGrainType();
        var due = BaseTime.AddYears(-6);
        var ring = ArActors.Runtime.Clustering.ConsistentHashRing.Create(
            [new("http://a:1", 1), new("http://b:1", 1), new("http://c:1", 1)]);
        var ranges = ring.RangesOf(ring.Silos[1]);
        // Spread hashes plus every edge of the first ranges (each bound inside, one past each bound outside), and a
        // range that wraps around zero.
        var hashes = Enumerable.Range(0, 400).Select(i => (uint)((ulong)i * 10_737_418UL)).ToList();
        foreach (var r in ranges.Take(6))
        {
            hashes.AddRange([r.From, r.To, r.From - 1, r.To + 1]);
        }

        hashes.AddRange([0u, uint.MaxValue]);
        foreach (var (hash, i) in hashes.Distinct().Select((h, i) => (h, i)))
        {
            await Store.UpsertAsync(Reminder(grainType, $"k{i:D4}", "r", hash, due.AddSeconds(i % 5)));
        }

        foreach (var set in new[] { ranges, [new HashRange(uint.MaxValue - 5, 10), new HashRange(100, 200)], [HashRange.Full] })
        {
            var read = new List<ReminderEntry>();
            ReminderEntry? cursor = null;
            while (true)
            {
                var page = await Store.ReadDueInRangesAsync(due.AddSeconds(10), set, 16, cursor);
                read.AddRange(page);
                if (page.Count < 16)
                {
                    break;
                }

                cursor = page[^1];
            }

            Assert.All(read, r => Assert.True(set.Any(range => range.Contains(r.Hash)), $"{r.Hash} is outside the ranges"));
            var mine = read.Where(r => r.GrainType == grainType).Select(r => r.GrainKey).ToList();
            var expected = hashes.Distinct().Select((h, i) => (h, i))
                .Where(x => set.Any(range => range.Contains(x.h)))
                .OrderBy(x => x.i % 5).ThenBy(x => $"k{x.i:D4}", StringComparer.Ordinal)
                .Select(x => $"k{x.i:D4}")
                .ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, mine);
        }

        Assert.Empty(await Store.ReadDueInRangesAsync(due.AddSeconds(10), [], 16));
    }

    [Fact]
    public async Task Keyset_paging_over_a_thousand_reminders_returns_each_exactly_once_in_order()
    {
        var grainType = NewGrainType();
        var t0 = BaseTime.AddYears(-3);
        // Many rows share a due time so the key columns decide the order and the cursor must compare all of them.
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            Store.UpsertAsync(Reminder(grainType, $"g{i % 37:D2}", $"n{i:D4}", (uint)((ulong)i * 4_294_967UL), t0.AddSeconds(i % 7)))));

        var all = await ReadAllDueAsync(t0.AddSeconds(10), HashRange.Full, grainType, pageSize: 64);

        Assert.Equal(1000, all.Count);
        Assert.Equal(1000, all.Select(r => r.Name).Distinct().Count());
        var expected = all.OrderBy(r => r.NextDue).ThenBy(r => r.GrainKey, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(r => r.Name), all.Select(r => r.Name));
    }

    [Fact]
    public async Task Advance_keeps_the_registration_etag_and_a_re_registration_wins()
    {
        var grainType = NewGrainType();
        var due = BaseTime.AddMinutes(1);
        var entry = await Store.UpsertAsync(Reminder(grainType, "g", "r", 7, due));

        // A silo advances the same registration tick after tick.
        Assert.True(await Store.AdvanceAsync(entry, due.AddHours(1), entry.Etag!));
        Assert.True(await Store.AdvanceAsync(entry, due.AddHours(2), entry.Etag!));

        var read = (await Store.ReadForGrainAsync(grainType, "g")).Single();
        Assert.Equal(due.AddHours(2), read.NextDue);
        Assert.Equal(entry.Etag, read.Etag);

        // A re-registration between delivery and advance wins.
        var reRegistered = await Store.UpsertAsync(read with { NextDue = due.AddDays(3) });
        Assert.NotEqual(read.Etag, reRegistered.Etag);
        Assert.False(await Store.AdvanceAsync(read, due.AddHours(3), read.Etag!));
        Assert.Equal(due.AddDays(3), (await Store.ReadForGrainAsync(grainType, "g")).Single().NextDue);
        Assert.True(await Store.AdvanceAsync(reRegistered, due.AddDays(4), reRegistered.Etag!));

        Assert.True(await Store.RemoveAsync(grainType, "g", "r"));
        Assert.False(await Store.AdvanceAsync(reRegistered, due.AddDays(5), reRegistered.Etag!));
    }

    [Fact]
    public async Task Initializing_twice_and_two_stores_initializing_at_once_is_fine()
    {
        await Store.InitializeAsync();
        await Store.PingAsync();

        var openStore = CreateFreshStorage();
        var first = Track(openStore());
        var second = Track(openStore());
        await Task.WhenAll(first.InitializeAsync(), second.InitializeAsync());

        var id = NewId();
        var written = await first.WriteStateAsync(id, Json("{\"v\":1}"), null, []);
        Assert.Equal(written.Etag, (await first.ReadStateAsync(id))!.Etag);
        if (Persists)
        {
            Assert.Equal(written.Etag, (await second.ReadStateAsync(id))!.Etag);
        }

        await second.InitializeAsync();
        await first.PingAsync();
    }

    [Fact]
    public async Task Pending_writes_complete_when_the_store_is_disposed_and_later_writes_are_refused()
    {
        var store = await OpenAsync(CreateStore());
        var grainType = NewGrainType();
        var writes = Enumerable.Range(0, 100)
            .Select(i => store.WriteStateAsync(new GrainStateId(grainType, $"k{i}", "s"), Json("{}"), null, []))
            .ToList();

        await store.DisposeAsync();

        Assert.All(writes, w => Assert.True(w.IsCompleted));
        var results = await Task.WhenAll(writes);
        Assert.Equal(100, results.Length);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.WriteStateAsync(NewId(), Json("{}"), null, []));
        if (Persists)
        {
            Assert.NotNull(await Store.ReadStateAsync(new GrainStateId(grainType, "k99", "s")));
        }
    }

    protected static GrainStateId NewId() => new(NewGrainType(), "key-" + Guid.NewGuid().ToString("N")[..8], "state");

    protected static string NewGrainType() => "T" + Guid.NewGuid().ToString("N")[..12];

    protected static string NewTopic() => "topic-" + Guid.NewGuid().ToString("N")[..12];

    protected static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);

    protected static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    protected IDurableStore Track(IDurableStore store)
    {
        _opened.Add(store);
        return store;
    }

    protected static EventDraft Draft(string topic, string type, string key = "k") =>
        new(topic, type, "Source", key, Json($"{{\"type\":\"{type}\"}}"), BaseTime);

    protected static ReminderEntry Reminder(string grainType, string key, string name, uint hash, DateTimeOffset due) =>
        new(grainType, key, name, hash, due, TimeSpan.FromHours(1), due);

    protected async Task<IDurableStore> OpenAsync(IDurableStore store)
    {
        Track(store);
        await store.InitializeAsync();
        return store;
    }

    /// <summary>Pages through everything due with the keyset cursor, checks global order, and keeps this test's rows.</summary>
    private async Task<List<ReminderEntry>> ReadAllDueAsync(DateTimeOffset dueBefore, HashRange range, string grainType, int pageSize)
    {
        var all = new List<ReminderEntry>();
        ReminderEntry? cursor = null;
        while (true)
        {
            var page = await Store.ReadDueAsync(dueBefore, range, pageSize, cursor);
            Assert.True(page.Count <= pageSize);
            all.AddRange(page);
            if (page.Count < pageSize)
            {
                break;
            }

            cursor = page[^1];
        }

        for (var i = 1; i < all.Count; i++)
        {
            var (a, b) = (all[i - 1], all[i]);
            var order = a.NextDue.CompareTo(b.NextDue);
            order = order != 0 ? order : string.CompareOrdinal(a.GrainType, b.GrainType);
            order = order != 0 ? order : string.CompareOrdinal(a.GrainKey, b.GrainKey);
            order = order != 0 ? order : string.CompareOrdinal(a.Name, b.Name);
            Assert.True(order < 0, $"ReadDueAsync order broken at {i}: {a} then {b}");
        }

        Assert.All(all, r => Assert.True(r.NextDue <= dueBefore && range.Contains(r.Hash)));
        return all.Where(r => r.GrainType == grainType).ToList();
    }
}
