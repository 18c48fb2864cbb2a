using ArActors.Runtime.Storage;

namespace ArActors.Runtime.Tests.StoreSemantics;

/// <summary>The reference semantics of <see cref="IDurableStore"/>, on the in-memory store.</summary>
public sealed class InMemoryStoreTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private readonly InMemoryStore _store = new();

    public Task InitializeAsync() => _store.InitializeAsync();

    public Task DisposeAsync() => _store.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => _store.DisposeAsync();

    [Fact]
    public async Task Write_with_a_stale_etag_throws_and_changes_nothing_including_its_events()
    {
        var id = new GrainStateId("T", "k", "s");
        var first = await _store.WriteStateAsync(id, "1"u8.ToArray(), null, []);
        await _store.WriteStateAsync(id, "2"u8.ToArray(), first.Etag, []);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() =>
            _store.WriteStateAsync(id, "3"u8.ToArray(), first.Etag, [Draft("topic")]));

        Assert.Equal(first.Etag, conflict.ExpectedEtag);
        Assert.Equal("2"u8.ToArray(), (await _store.ReadStateAsync(id))!.Payload.ToArray());
        Assert.Equal(0, await _store.GetLastSequenceAsync("topic"));
    }

    [Fact]
    public async Task Creating_a_row_that_exists_needs_its_etag()
    {
        var id = new GrainStateId("T", "k2", "s");
        await _store.WriteStateAsync(id, "1"u8.ToArray(), null, []);

        await Assert.ThrowsAsync<InconsistentStateException>(() => _store.WriteStateAsync(id, "x"u8.ToArray(), null, []));
    }

    [Fact]
    public async Task Events_get_gapless_per_topic_sequences_with_the_state_write()
    {
        var id = new GrainStateId("T", "k3", "s");
        var written = await _store.WriteStateAsync(id, "1"u8.ToArray(), null, [Draft("a"), Draft("b"), Draft("a")]);
        var appended = await _store.AppendAsync([Draft("a")]);

        Assert.Equal([1L, 1L, 2L], written.Events.Select(e => e.Sequence));
        Assert.Equal(3, appended[0].Sequence);
        Assert.Equal([2L, 3L], (await _store.ReadAsync("a", 1, 10)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task Due_reminders_page_by_keyset_in_due_order_within_the_hash_range()
    {
        for (var i = 0; i < 10; i++)
        {
            await _store.UpsertAsync(new ReminderEntry("T", $"k{i}", "r", (uint)i * 100, T0, TimeSpan.FromHours(1), T0.AddMinutes(10 - i)));
        }

        var page1 = await _store.ReadDueAsync(T0.AddMinutes(8), new HashRange(200, 900), 3);
        var page2 = await _store.ReadDueAsync(T0.AddMinutes(8), new HashRange(200, 900), 3, page1[^1]);

        Assert.Equal(["k9", "k8", "k7"], page1.Select(r => r.GrainKey));
        Assert.Equal(["k6", "k5", "k4"], page2.Select(r => r.GrainKey));
        var page3 = await _store.ReadDueAsync(T0.AddMinutes(8), new HashRange(200, 900), 3, page2[^1]);
        Assert.Equal(["k3", "k2"], page3.Select(r => r.GrainKey));
    }

    [Fact]
    public async Task Advance_succeeds_only_with_the_current_etag_so_a_re_registration_wins()
    {
        var registered = await _store.UpsertAsync(new ReminderEntry("T", "k", "r", 1, T0, TimeSpan.FromHours(1), T0));
        var reregistered = await _store.UpsertAsync(registered with { NextDue = T0.AddDays(1) });

        Assert.False(await _store.AdvanceAsync(registered, T0.AddHours(1), registered.Etag!));
        Assert.True(await _store.AdvanceAsync(reregistered, T0.AddDays(1).AddHours(1), reregistered.Etag!));
        Assert.Equal(T0.AddDays(1).AddHours(1), Assert.Single(await _store.ReadForGrainAsync("T", "k")).NextDue);
    }

    private static EventDraft Draft(string topic) => new(topic, "E", "T", "k", "{}"u8.ToArray(), T0);
}
