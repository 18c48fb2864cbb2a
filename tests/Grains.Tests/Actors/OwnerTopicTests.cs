using ArActors.Grains.Tests.Workflow;

namespace ArActors.Grains.Tests.Actors;

/// <summary>What a collector's and a team's dashboards follow: the owner topics of the accounts they own.</summary>
public sealed class OwnerTopicTests
{
    [Fact]
    public async Task An_accounts_changes_and_bucket_moves_reach_its_collector_and_portfolio_topics_and_no_other_collector()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var id = LedgerCluster.NewId("OWN");
        await ledger.OpenAsync(id);
        await ledger.IssueAsync(id, "INV-1", 100m, new DateOnly(2026, 1, 20));
        await ledger.PayAsync(id, "PAY-1", 40m, new DateOnly(2026, 2, 25), "INV-1");

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(25)); // 31 days past due on 2026-03-22: 1-30 -> 31-60

        // Ladder work and worklist changes reach these topics too; this test is about the ledger's own events.
        var collector = (await ledger.TopicAsync(LedgerTopics.Collector("col-1"))).Where(e => !WorkflowTopics.IsWorkflow(e.EventType)).ToList();
        var portfolio = (await ledger.TopicAsync(LedgerTopics.Portfolio("P1"))).Where(e => !WorkflowTopics.IsWorkflow(e.EventType)).ToList();
        Assert.Equal(["AccountOpened", "InvoiceIssued", "PaymentReceived", "PaymentApplied", "InvoiceAgingBucketChanged"], collector.Select(e => e.EventType));
        Assert.Equal(collector.Select(e => e.EventType), portfolio.Select(e => e.EventType));
        Assert.Empty(await ledger.TopicAsync(LedgerTopics.Collector("col-2")));
    }

    [Fact]
    public async Task A_reassigned_account_is_announced_to_the_old_and_the_new_collector_and_then_only_to_the_new()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var id = LedgerCluster.NewId("MOVE");
        var account = await ledger.OpenAsync(id);
        await ledger.IssueAsync(id, "INV-1", 100m, new DateOnly(2026, 1, 20));

        LedgerCluster.Accepted(await account.UpdateProfile(new UpdateAccountProfile(LedgerCluster.Profile(id) with { AssignedCollector = "col-2" }), LedgerCluster.Manager));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(25)); // 31 days past due on 2026-03-22: 1-30 -> 31-60

        var old = (await ledger.TopicAsync(LedgerTopics.Collector("col-1"))).Where(e => !WorkflowTopics.IsWorkflow(e.EventType)).ToList();
        var current = (await ledger.TopicAsync(LedgerTopics.Collector("col-2"))).Where(e => !WorkflowTopics.IsWorkflow(e.EventType)).ToList();
        Assert.Equal(["AccountOpened", "InvoiceIssued", "AccountProfileUpdated"], old.Select(e => e.EventType));
        Assert.Equal(["AccountProfileUpdated", "InvoiceAgingBucketChanged"], current.Select(e => e.EventType));
    }
}
