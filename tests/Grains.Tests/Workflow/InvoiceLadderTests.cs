using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;
using ArActors.Runtime;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>The invoice grain runs its segment's ladder by its reminder, with a manual clock: each step once, on its day.</summary>
public sealed class InvoiceLadderTests
{
    // Clock starts 2026-03-01 09:00 UTC; the account is in UTC so a step's day starts at 00:00 UTC.
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Issued = new(2026, 3, 1);
    private static readonly DateOnly Due = new(2026, 3, 10);

    private static readonly (string Id, int Offset)[] DefaultLadder =
    [
        ("courtesy-reminder", -3), ("reminder", 1), ("call-task", 7), ("second-notice", 15), ("escalate-team-lead", 30), ("notify-sales", 30),
        ("credit-hold", 30), ("final-notice", 60), ("agency-referral", 90), ("write-off-review", 90),
    ];

    private static async Task<(LedgerCluster Ledger, string Customer)> StartAsync()
    {
        var ledger = await LedgerCluster.StartAsync(start: Start);
        var customer = LedgerCluster.NewId("WF");
        await ledger.OpenAsync(customer, "UTC");
        await ledger.IssueAsync(customer, "INV-1", 1_000m, Issued, Due);
        return (ledger, customer);
    }

    private static TickStatus TickOn(DateOnly day)
    {
        var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return new TickStatus(at, TimeSpan.FromDays(1), at, at, 1, IsCatchUp: false);
    }

    [Fact]
    public async Task An_invoice_walks_the_whole_default_ladder_each_step_once_on_its_day_and_a_doubled_tick_changes_nothing()
    {
        var (ledger, customer) = await StartAsync();
        await using var _ = ledger;
        var key = AccountGrain.InvoiceKey(customer, "INV-1");

        for (var day = 1; day <= 100; day++)
        {
            await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(1));
            var today = ledger.Today("UTC");
            var expected = DefaultLadder.Where(s => Due.AddDays(s.Offset) <= today).Select(s => (s.Id, Due.AddDays(s.Offset))).ToList();

            var work = await ledger.WorkAsync(LedgerTopics.Account(customer));
            Assert.Equal(expected, work.Steps());

            // At-least-once delivery: the day's tick delivered again runs nothing twice.
            await ledger.Cluster.DeliverReminderAsync<IInvoiceGrain>(key, InvoiceGrain.AgingReminder, TickOn(today));
            Assert.Equal(expected.Count, (await ledger.WorkAsync(LedgerTopics.Account(customer))).Count);
        }

        var all = await ledger.WorkAsync(LedgerTopics.Account(customer));
        Assert.Equal(
            [typeof(CommunicationRequested), typeof(CommunicationRequested), typeof(CallTaskCreated), typeof(CommunicationRequested), typeof(EscalationRaised),
                typeof(EscalationRaised), typeof(CreditHoldRequested), typeof(CommunicationRequested), typeof(AgencyReferralProposed), typeof(WriteOffReviewProposed)],
            all.Select(w => w.GetType()));
        Assert.Equal("ap@example.com", ((CommunicationRequested)all[0]).Recipient.Address);
        Assert.True(((CommunicationRequested)all[7]).FinalNotice);

        // The same work reached the collector's and the whole ledger's topics.
        Assert.Equal(all.Steps(), (await ledger.WorkAsync(LedgerTopics.Collector("col-1"))).Where(w => w.Origin.CustomerId == customer).Steps());
        Assert.Equal(all.Count, (await ledger.WorkAsync(LedgerTopics.Ledger)).Count(w => w.Origin.CustomerId == customer));

        var workflow = await ledger.Invoice(customer, "INV-1").GetWorkflow();
        Assert.Equal(DefaultLadder.Select(s => s.Id + "@2026-03-10").Order(StringComparer.Ordinal), workflow.Executed.Order(StringComparer.Ordinal));
        Assert.Null(workflow.NextStepOn);
    }

    [Fact]
    public async Task Three_days_of_downtime_replay_the_missed_steps_once_in_order_on_restart()
    {
        var (ledger, customer) = await StartAsync();
        await using var _ = ledger;
        LedgerCluster.Accepted(await ledger.Account(customer).IssueInvoice(
            new IssueInvoice(customer, "INV-2", Issued, LedgerCluster.Usd(10m), PaymentTerms.Net(30), Due), LedgerCluster.Collector)); // a second ladder in the same account
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(7));   // 8 March, courtesy reminders ran
        Assert.Equal(2, (await ledger.WorkAsync(LedgerTopics.Account(customer))).Count);

        // Replace the corporate ladder with steps on three consecutive days, then go down across all three.
        var strategy = new Strategy(CustomerSegment.Corporate,
            [new("first", 1, StepAction.SendReminder, ContactChannel.Email, "t1"), new("second", 2, StepAction.CreateCallTask), new("third", 3, StepAction.EscalateToTeamLead)]);
        Assert.True((await ledger.Cluster.GetGrain<IStrategyGrain>("Corporate").Replace(strategy, LedgerCluster.Manager)).Accepted);
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(2));   // 10 March 09:00, the due date
        await ledger.Account(customer).GetSummary();

        await ledger.Cluster.StopSiloAsync();
        ledger.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 13, 12, 0, 0, TimeSpan.Zero));
        await ledger.Cluster.StartSiloAsync();
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(1));

        var replayed = (await ledger.WorkAsync(LedgerTopics.Account(customer))).Skip(2).ToList();
        Assert.Equal(
            [("INV-1", "first", Due.AddDays(1)), ("INV-1", "second", Due.AddDays(2)), ("INV-1", "third", Due.AddDays(3))],
            replayed.Where(w => w.Origin.InvoiceNumbers[0] == "INV-1").Select(w => (w.Origin.InvoiceNumbers[0], w.Origin.StepId, w.Origin.On)));
        Assert.Equal(["first", "second", "third"], replayed.Where(w => w.Origin.InvoiceNumbers[0] == "INV-2").Select(w => w.Origin.StepId));

        // Another restart and the catch-up tick delivered again run nothing.
        await ledger.Cluster.RestartSiloAsync();
        await ledger.Cluster.DeliverReminderAsync<IInvoiceGrain>(AccountGrain.InvoiceKey(customer, "INV-1"), InvoiceGrain.AgingReminder,
            new TickStatus(new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(1), new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 13, 12, 0, 0, TimeSpan.Zero), 3, IsCatchUp: true));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(2));
        Assert.Equal(8, (await ledger.WorkAsync(LedgerTopics.Account(customer))).Count);
    }

    [Fact]
    public async Task A_dispute_holds_the_ladder_and_resolving_it_resumes_at_the_step_it_had_reached_shifted_by_the_pause()
    {
        var (ledger, customer) = await StartAsync();
        await using var _ = ledger;
        var account = ledger.Account(customer);
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(12));   // 13 March: courtesy reminder and day-1 reminder ran
        Assert.Equal(["courtesy-reminder", "reminder"], (await ledger.WorkAsync(LedgerTopics.Account(customer))).Select(w => w.Origin.StepId));

        LedgerCluster.Accepted(await account.DisputeInvoice(new DisputeInvoice("INV-1"), LedgerCluster.Collector));   // paused from day 3
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(10));   // 23 March = day 13: the day-7 call task is held
        Assert.Equal(2, (await ledger.WorkAsync(LedgerTopics.Account(customer))).Count);
        Assert.True((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);

        LedgerCluster.Accepted(await account.ResolveDispute(new ResolveDispute("INV-1"), LedgerCluster.Collector));   // resumes on day 13: 10 paused days
        Assert.Equal(Due.AddDays(17), (await ledger.Invoice(customer, "INV-1").GetWorkflow()).NextStepOn);

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(3));    // day 16: still nothing
        Assert.Equal(2, (await ledger.WorkAsync(LedgerTopics.Account(customer))).Count);
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(9));    // day 25
        Assert.Equal(
            [("courtesy-reminder", Due.AddDays(-3)), ("reminder", Due.AddDays(1)), ("call-task", Due.AddDays(17)), ("second-notice", Due.AddDays(25))],
            (await ledger.WorkAsync(LedgerTopics.Account(customer))).Steps());
    }

    [Fact]
    public async Task A_paid_invoice_runs_no_more_steps()
    {
        var (ledger, customer) = await StartAsync();
        await using var _ = ledger;
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(10));   // 11 March: day 1
        await ledger.PayAsync(customer, "PAY-1", 1_000m, new DateOnly(2026, 3, 11), "INV-1");

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(100));

        Assert.Equal(["courtesy-reminder", "reminder"], (await ledger.WorkAsync(LedgerTopics.Account(customer))).Select(w => w.Origin.StepId));
        Assert.Null((await ledger.Invoice(customer, "INV-1").GetWorkflow()).NextStepOn);
    }

    [Fact]
    public async Task A_strategy_replacement_that_is_invalid_is_refused_naming_the_field_and_changes_nothing()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var grain = ledger.Cluster.GetGrain<IStrategyGrain>("Consumer");
        var bad = new Strategy(CustomerSegment.Consumer, [new("a", 10, StepAction.CreateCallTask), new("b", 5, StepAction.CreateCallTask)]);

        var result = await grain.Replace(bad, LedgerCluster.Manager);
        var wrongSegment = await grain.Replace(Strategy.Default(CustomerSegment.Broker), LedgerCluster.Manager);

        Assert.Equal(("steps[1].offsetDays", ErrorCodes.Invalid), (result.Error!.Field, result.Error.Code));
        Assert.Equal("segment", wrongSegment.Error!.Field);
        Assert.Equal(Strategy.Default(CustomerSegment.Consumer).Steps.ToArray(), (await grain.Get()).Steps.ToArray());
    }
}
