using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;
using ArActors.Runtime;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Payment plans with a manual clock: an active plan holds the ladder, installments are decided by reminder, two misses break it.</summary>
public sealed class PaymentPlanTests
{
    // Clock starts 2026-03-01 09:00 UTC; the account is in UTC. INV-1: 1,000 USD issued 1 March, due 10 March.
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Due = new(2026, 3, 10);

    private static PaymentPlan Plan(string id = "PL-1") =>
        new(id, ["INV-1"], [new(new DateOnly(2026, 3, 5), LedgerCluster.Usd(300m)), new(new DateOnly(2026, 3, 12), LedgerCluster.Usd(300m)), new(new DateOnly(2026, 3, 19), LedgerCluster.Usd(400m))]);

    private static async Task<(LedgerCluster Ledger, string Customer, IPaymentPlanGrain Plans)> StartAsync()
    {
        var ledger = await LedgerCluster.StartAsync(start: Start);
        var customer = LedgerCluster.NewId("PLN");
        await ledger.OpenAsync(customer, "UTC");
        await ledger.IssueAsync(customer, "INV-1", 1_000m, new DateOnly(2026, 3, 1), Due);
        return (ledger, customer, ledger.Cluster.GetGrain<IPaymentPlanGrain>(customer));
    }

    private static async Task<List<string>> TypesAsync(LedgerCluster ledger, string customer) =>
        [.. (await ledger.TopicAsync(LedgerTopics.Account(customer))).Select(e => e.EventType)
            .Where(t => t.StartsWith("Installment", StringComparison.Ordinal) || t.StartsWith("PaymentPlan", StringComparison.Ordinal) || t == nameof(EscalationRaised))];

    [Fact]
    public async Task Two_missed_installments_break_the_plan_escalate_once_and_resume_the_ladder()
    {
        var (ledger, customer, plans) = await StartAsync();
        await using var _ = ledger;
        Assert.True((await plans.Make(Plan(), LedgerCluster.Collector)).Accepted);
        Assert.True((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(5));   // 6 March: the first installment is missed
        Assert.Equal(["PaymentPlanMade", "InstallmentMissed"], await TypesAsync(ledger, customer));
        Assert.Equal(PaymentPlanStatus.Active, (await plans.List()).Single().Status);

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(7));   // 13 March: the second is missed too: broken
        Assert.Equal(["PaymentPlanMade", "InstallmentMissed", "InstallmentMissed", "PaymentPlanBroken", "EscalationRaised"], await TypesAsync(ledger, customer));
        var plan = (await plans.List()).Single();
        Assert.Equal((PaymentPlanStatus.Broken, new DateOnly(2026, 3, 13), 2), (plan.Status, plan.EndedOn, plan.Missed));
        var record = Assert.Single(await ledger.Cluster.GetGrain<IEscalationGrain>(EscalationGrain.Key).List(new EscalationFilter(CustomerId: customer)));
        Assert.Equal(("plan:PL-1", EscalationTarget.TeamLead), (record.StepId, record.To));

        // The ladder resumes shifted by the 12 paused days: the courtesy reminder of 7 March runs on 19 March.
        var workflow = await ledger.Invoice(customer, "INV-1").GetWorkflow();
        Assert.Equal((false, Due.AddDays(-3 + 12)), (workflow.Held, workflow.NextStepOn));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(6));   // 19 March
        Assert.Equal([("plan:PL-1", new DateOnly(2026, 3, 13)), ("courtesy-reminder", new DateOnly(2026, 3, 19))], (await ledger.WorkAsync(LedgerTopics.Account(customer))).Steps());

        // A doubled tick decides nothing again.
        await ledger.Cluster.DeliverReminderAsync<IPaymentPlanGrain>(customer, PaymentPlanGrain.InstallmentReminder,
            new TickStatus(Start, TimeSpan.FromDays(1), Start, ledger.Clock.GetUtcNow(), 1, IsCatchUp: false));
        Assert.Equal(5, (await TypesAsync(ledger, customer)).Count);
    }

    [Fact]
    public async Task A_kept_installment_keeps_the_plan_active_and_the_ladder_held_without_escalation()
    {
        var (ledger, customer, plans) = await StartAsync();
        await using var _ = ledger;
        Assert.True((await plans.Make(Plan(), LedgerCluster.Collector)).Accepted);
        await ledger.PayAsync(customer, "PAY-1", 300m, new DateOnly(2026, 3, 4), "INV-1");

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(8));   // 9 March

        Assert.Equal(["PaymentPlanMade", "InstallmentKept"], await TypesAsync(ledger, customer));
        Assert.Equal((PaymentPlanStatus.Active, InstallmentStatus.Kept), ((await plans.List()).Single().Status, (await plans.List()).Single().Installments[0].Status));
        Assert.True((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);
        Assert.Empty(await ledger.WorkAsync(LedgerTopics.Account(customer)));
        Assert.Empty(await ledger.Cluster.GetGrain<IEscalationGrain>(EscalationGrain.Key).List(new EscalationFilter(CustomerId: customer)));
    }

    [Fact]
    public async Task A_bad_plan_is_refused_naming_the_field_and_changes_nothing()
    {
        var (ledger, customer, plans) = await StartAsync();
        await using var _ = ledger;

        Assert.Equal("installments", (await plans.Make(Plan() with { Installments = [new(new DateOnly(2026, 3, 5), LedgerCluster.Usd(999m))] }, LedgerCluster.Collector)).Error!.Field);
        Assert.Equal("installments[1].date", (await plans.Make(Plan() with
        {
            Installments = [new(new DateOnly(2026, 3, 5), LedgerCluster.Usd(500m)), new(new DateOnly(2026, 3, 5), LedgerCluster.Usd(500m))],
        }, LedgerCluster.Collector)).Error!.Field);
        Assert.Equal("invoiceNumbers[0]", (await plans.Make(Plan() with { InvoiceNumbers = ["INV-9"] }, LedgerCluster.Collector)).Error!.Field);
        Assert.Equal("maxMissed", (await plans.Make(Plan() with { MaxMissed = 0 }, LedgerCluster.Collector)).Error!.Field);

        Assert.Empty(await plans.List());
        Assert.False((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);
        Assert.True((await plans.Make(Plan(), LedgerCluster.Collector)).Accepted);
        Assert.True((await plans.Make(Plan(), LedgerCluster.Collector)).Unchanged);
        Assert.Equal("invoiceNumbers[0]", (await plans.Make(Plan("PL-2"), LedgerCluster.Collector)).Error!.Field);
    }
}
