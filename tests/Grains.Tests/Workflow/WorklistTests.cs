using System.Text.Json;
using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Collector worklists follow the accounts: changes, settlements, reassignments and the passing days.</summary>
public sealed class WorklistTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<List<string>> QueueEventsAsync(LedgerCluster ledger, string collector, string customer) =>
        [.. (await ledger.TopicAsync(LedgerTopics.Collector(collector))).Where(e => e.EventType.StartsWith("WorklistEntry", StringComparison.Ordinal))
            .Where(e => e.Payload.Span.IndexOf(System.Text.Encoding.UTF8.GetBytes($"\"{customer}\"")) >= 0)
            .Select(e => e.EventType)];

    private static async Task<string> OpenAsync(LedgerCluster ledger, string prefix, string collector = "col-1")
    {
        var id = LedgerCluster.NewId(prefix);
        LedgerCluster.Accepted(await ledger.Account(id).OpenAccount(new OpenAccount(LedgerCluster.Profile(id) with { AssignedCollector = collector }), LedgerCluster.Collector));
        return id;
    }

    private static ICollectorQueueGrain Queue(LedgerCluster ledger, string collector) => ledger.Cluster.GetGrain<ICollectorQueueGrain>(collector);

    [Fact]
    public async Task The_worklist_lists_accounts_needing_action_in_score_order()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var collector = LedgerCluster.NewId("col");
        var small = await OpenAsync(ledger, "SMALL", collector);
        var large = await OpenAsync(ledger, "LARGE", collector);
        var old = await OpenAsync(ledger, "OLD", collector);
        var current = await OpenAsync(ledger, "CURR", collector);
        await ledger.IssueAsync(small, "INV-1", 50m, new DateOnly(2026, 1, 20));     // due 19 Feb: 10 days late, 50
        await ledger.IssueAsync(large, "INV-1", 90_000m, new DateOnly(2026, 1, 20)); // 10 days late, 90,000
        await ledger.IssueAsync(old, "INV-1", 50m, new DateOnly(2025, 9, 1));        // 150 days late, 50
        await ledger.IssueAsync(current, "INV-1", 5_000m, new DateOnly(2026, 2, 20)); // not due yet

        var page = await Queue(ledger, collector).Top(10, null);

        // old: 17 amount + 40 age + 4 segment = 61; large: 49 + 3 + 4 = 56; small: 17 + 3 + 4 = 24.
        Assert.Equal([old, large, small], page.Entries.Select(e => e.CustomerId));
        Assert.Equal([61, 56, 24], page.Entries.Select(e => e.Score.Total));
        Assert.Equal(3, page.Total);
        Assert.Equal(page.Entries.Select(e => e.Score.Total).OrderDescending(), page.Entries.Select(e => e.Score.Total));
        Assert.Equal(Priority.Score(new PriorityInputs(90_000m, new DateOnly(2026, 2, 19), CustomerSegment.Corporate), new DateOnly(2026, 3, 1)), page.Entries[1].Score);
        Assert.Equal([old], (await Queue(ledger, collector).Top(1, null)).Entries.Select(e => e.CustomerId));
        Assert.Empty(await QueueEventsAsync(ledger, collector, current));
    }

    [Fact]
    public async Task A_portfolio_view_counts_that_portfolios_entries_and_follows_every_change()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var queue = Queue(ledger, LedgerCluster.NewId("col"));
        var pastDue = new PriorityInputs(500m, new DateOnly(2026, 2, 1), CustomerSegment.Corporate);
        await queue.Update(new WorklistUpdate("N-1", "North 1", "north", "EUR", 1, pastDue));
        await queue.Update(new WorklistUpdate("S-1", "South 1", "south", "EUR", 1, pastDue));
        Assert.Equal(1, (await queue.Top(10, "north")).Total);

        await queue.Update(new WorklistUpdate("N-2", "North 2", "north", "EUR", 1, pastDue));
        await queue.Remove("S-1", 2);

        var north = await queue.Top(10, "north");
        Assert.Equal(2, north.Total);
        Assert.Equal(["N-1", "N-2"], north.Entries.Select(e => e.CustomerId).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await queue.Top(10, "south")).Total);
        Assert.Equal(2, (await queue.Top(10, null)).Total);
    }

    [Fact]
    public async Task Payments_reprioritize_and_settlement_removes_the_account_with_events_on_the_collectors_topic()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var collector = LedgerCluster.NewId("col");
        var id = await OpenAsync(ledger, "PAY", collector);
        await ledger.IssueAsync(id, "INV-1", 10_000m, new DateOnly(2026, 1, 20));
        var before = (await Queue(ledger, collector).Top(5, null)).Entries.Single().Score.Total;

        await ledger.PayAsync(id, "PAY-1", 9_900m, new DateOnly(2026, 3, 1), "INV-1");
        var after = (await Queue(ledger, collector).Top(5, null)).Entries.Single().Score.Total;
        await ledger.PayAsync(id, "PAY-2", 100m, new DateOnly(2026, 3, 1), "INV-1");

        Assert.True(after < before, $"{after} should be below {before}");
        Assert.Empty((await Queue(ledger, collector).Top(5, null)).Entries);
        Assert.Equal(["WorklistEntryAdded", "WorklistEntryReprioritized", "WorklistEntryRemoved"], await QueueEventsAsync(ledger, collector, id));
    }

    [Fact]
    public async Task Reassignment_moves_the_account_between_queues_with_events_for_both()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var from = LedgerCluster.NewId("old");
        var to = LedgerCluster.NewId("new");
        var id = await OpenAsync(ledger, "MOVE", from);
        await ledger.IssueAsync(id, "INV-1", 700m, new DateOnly(2026, 1, 20));
        Assert.Equal([id], (await Queue(ledger, from).Top(5, null)).Entries.Select(e => e.CustomerId));

        LedgerCluster.Accepted(await ledger.Account(id).UpdateProfile(
            new UpdateAccountProfile(LedgerCluster.Profile(id) with { AssignedCollector = to }), LedgerCluster.TeamLead));

        Assert.Empty((await Queue(ledger, from).Top(5, null)).Entries);
        Assert.Equal([id], (await Queue(ledger, to).Top(5, null)).Entries.Select(e => e.CustomerId));
        Assert.Equal(["WorklistEntryAdded", "WorklistEntryRemoved"], await QueueEventsAsync(ledger, from, id));
        Assert.Equal(["WorklistEntryAdded"], await QueueEventsAsync(ledger, to, id));
        var removed = (await ledger.TopicAsync(LedgerTopics.Collector(from))).Last(e => e.EventType == nameof(WorklistEntryRemoved));
        Assert.Equal("reassigned", JsonSerializer.Deserialize<WorklistEntryRemoved>(removed.Payload.Span, Json)!.Reason);
    }

    [Fact]
    public async Task The_daily_rescore_raises_priority_as_days_pass_and_a_duplicate_tick_changes_nothing()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var collector = LedgerCluster.NewId("col");
        var id = await OpenAsync(ledger, "AGE", collector);
        await ledger.IssueAsync(id, "INV-1", 700m, new DateOnly(2026, 1, 20));   // 10 days late on 1 March: 3 age points
        var first = (await Queue(ledger, collector).Top(1, null)).Entries.Single();

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(9));   // 10 March: 19 days late, 6 age points
        var later = (await Queue(ledger, collector).Top(1, null)).Entries.Single();
        var events = await QueueEventsAsync(ledger, collector, id);
        await ledger.Cluster.DeliverReminderAsync<ICollectorQueueGrain>(collector, CollectorQueueGrain.RescoreReminder,
            new Runtime.TickStatus(Start, TimeSpan.FromDays(1), Start, Start, 1, IsCatchUp: false));

        Assert.Equal((3, 6), (first.Score.Age, later.Score.Age));
        Assert.Equal(new DateOnly(2026, 3, 10), later.ScoredOn);
        // The age points step up on days 12, 15 and 18 late: one reprioritization each.
        Assert.Equal(["WorklistEntryAdded", "WorklistEntryReprioritized", "WorklistEntryReprioritized", "WorklistEntryReprioritized"], events);
        Assert.Equal(events, await QueueEventsAsync(ledger, collector, id));
    }

    [Fact]
    public async Task A_follow_up_planned_for_later_moves_the_account_down_until_its_day_comes()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var collector = LedgerCluster.NewId("col");
        var first = await OpenAsync(ledger, "FIRST", collector);
        var second = await OpenAsync(ledger, "SECOND", collector);
        await ledger.IssueAsync(first, "INV-1", 5_000m, new DateOnly(2026, 1, 20));
        await ledger.IssueAsync(second, "INV-1", 1_000m, new DateOnly(2026, 1, 20));
        Assert.Equal([first, second], (await Queue(ledger, collector).Top(5, null)).Entries.Select(e => e.CustomerId));

        await Queue(ledger, collector).SetNextAction(first, new DateOnly(2026, 3, 4));
        Assert.Equal([second, first], (await Queue(ledger, collector).Top(5, null)).Entries.Select(e => e.CustomerId));

        // An account push keeps the planned date; on its day the daily re-score lifts the account again.
        await ledger.PayAsync(first, "PAY-1", 10m, new DateOnly(2026, 3, 1), "INV-1");
        Assert.Equal([second, first], (await Queue(ledger, collector).Top(5, null)).Entries.Select(e => e.CustomerId));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(3));
        var page = await Queue(ledger, collector).Top(5, null);
        Assert.Equal([first, second], page.Entries.Select(e => e.CustomerId));
        Assert.Equal(10, page.Entries[0].Score.NextAction);
    }
}
