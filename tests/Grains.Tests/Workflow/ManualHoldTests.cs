using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Manual holds with a manual clock: the ladder pauses until the end date, a release ends it early, repeats change nothing.</summary>
public sealed class ManualHoldTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Due = new(2026, 3, 10);

    [Fact]
    public async Task A_hold_moves_the_later_steps_by_its_days_and_a_release_ends_it_today()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var customer = LedgerCluster.NewId("HLD");
        await ledger.OpenAsync(customer, "UTC");
        await ledger.IssueAsync(customer, "INV-1", 1_000m, new DateOnly(2026, 3, 1), Due);
        var invoice = ledger.Invoice(customer, "INV-1");
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(11));   // 12 March: courtesy reminder and day-1 reminder ran

        var hold = ManualHolds.Place(await invoice.GetWorkflow(), new DateOnly(2026, 3, 20), ledger.Today("UTC")).Value;
        await invoice.SetPause(hold);
        await invoice.SetPause(hold);   // a retried request changes nothing
        var held = await invoice.GetWorkflow();
        Assert.Equal((Due.AddDays(7 + 8), 1), (held.NextStepOn, held.Pauses.Count(p => p.Id == ManualHolds.PauseId)));   // the call task moves from 17 to 25 March

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(3));   // 15 March: released
        var release = ManualHolds.Release(await invoice.GetWorkflow(), ledger.Today("UTC"));
        await invoice.SetPause(release!);
        Assert.Null(ManualHolds.Release(await invoice.GetWorkflow(), ledger.Today("UTC")));   // nothing left to release
        Assert.Equal(Due.AddDays(7 + 3), (await invoice.GetWorkflow()).NextStepOn);

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(5));   // 20 March
        Assert.Equal([("courtesy-reminder", Due.AddDays(-3)), ("reminder", Due.AddDays(1)), ("call-task", Due.AddDays(10))], (await ledger.WorkAsync(LedgerTopics.Account(customer))).Steps());
    }

    [Fact]
    public void A_hold_ends_after_today_and_within_a_year_and_placing_it_again_keeps_its_first_day()
    {
        var today = new DateOnly(2026, 3, 12);
        Assert.Equal("until", ManualHolds.Place(InvoiceWorkflow.New, today, today).Error!.Field);
        Assert.Equal("until", ManualHolds.Place(InvoiceWorkflow.New, today.AddDays(367), today).Error!.Field);

        var first = ManualHolds.Place(InvoiceWorkflow.New, today.AddDays(5), today).Value;
        var moved = ManualHolds.Place(InvoiceWorkflow.New.SetPause(first), today.AddDays(9), today.AddDays(2)).Value;
        Assert.Equal(new LadderPause(PauseKind.ManualHold, today, today.AddDays(9), ManualHolds.PauseId), moved);
    }
}
