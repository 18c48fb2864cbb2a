using System.Text.Json;
using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;
using ArActors.Runtime;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Disputes with a manual clock: only the disputed amount is paused, the SLA escalates once, resolutions reach the ledger.</summary>
public sealed class DisputeTests
{
    // Clock starts 2026-03-01 09:00 UTC; the account is in UTC. INV-1: 1,000 USD issued 1 March, due 10 March.
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Issued = new(2026, 3, 1);
    private static readonly DateOnly Due = new(2026, 3, 10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<(LedgerCluster Ledger, string Customer, IDisputeGrain Disputes)> StartAsync()
    {
        var ledger = await LedgerCluster.StartAsync(start: Start);
        var customer = LedgerCluster.NewId("DSP");
        await ledger.OpenAsync(customer, "UTC");
        await ledger.IssueAsync(customer, "INV-1", 1_000m, Issued, Due);
        return (ledger, customer, ledger.Cluster.GetGrain<IDisputeGrain>(customer));
    }

    private static async Task<List<T>> EventsAsync<T>(LedgerCluster ledger, string topic) =>
        [.. (await ledger.TopicAsync(topic)).Where(e => e.EventType == typeof(T).Name).Select(e => JsonSerializer.Deserialize<T>(e.Payload.Span, Json)!)];

    private static Dispute Accepted(DisputeResult result)
    {
        Assert.True(result.Accepted, $"Refused: {result.Error}");
        return result.Dispute!;
    }

    [Fact]
    public async Task A_dispute_pauses_the_disputed_amount_only_the_ladder_goes_on_for_the_rest()
    {
        var (ledger, customer, disputes) = await StartAsync();
        await using var _ = ledger;
        Accepted(await disputes.Open(new OpenDispute("D-1", "INV-1", "pricing", LedgerCluster.Usd(400m)), LedgerCluster.Collector));

        var invoice = (await ledger.Account(customer).GetLedger()).Invoice("INV-1")!;
        Assert.Equal((true, LedgerCluster.Usd(400m), LedgerCluster.Usd(600m)), (invoice.Disputed, invoice.DisputedAmount, invoice.UndisputedOpenAmount));

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(11));   // 12 March: the courtesy reminder and the day-1 reminder ran
        var work = await ledger.WorkAsync(LedgerTopics.Account(customer));
        Assert.Equal([("courtesy-reminder", Due.AddDays(-3)), ("reminder", Due.AddDays(1))], work.Steps());
        Assert.All(work, w => Assert.Equal(LedgerCluster.Usd(600m), w.Origin.OpenAmount));
        Assert.False((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);

        // The worklist counts only the undisputed 600 as past due.
        var entry = (await ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1").Top(10, null)).Entries.Single(e => e.CustomerId == customer);
        Assert.Equal(600m, entry.Inputs.PastDueAmount);

        // Disputing the rest too holds the ladder: nothing open is left to dun.
        Accepted(await disputes.Open(new OpenDispute("D-2", "INV-1", "quantity"), LedgerCluster.Collector));
        Assert.Equal(LedgerCluster.Usd(600m), (await disputes.List()).Single(d => d.Id == "D-2").Amount);
        Assert.True((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(10));   // 22 March: the day-7 call task stays held
        Assert.Equal(2, (await ledger.WorkAsync(LedgerTopics.Account(customer))).Count);
        // Nothing undisputed is past due; the account stays listed only for its passed dispute deadlines.
        var listed = (await ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1").Top(10, null)).Entries.Single(e => e.CustomerId == customer);
        Assert.Equal((0m, 0, 15), (listed.Inputs.PastDueAmount, listed.Score.Amount, listed.Score.Dispute));
    }

    [Fact]
    public async Task The_matrix_assigns_owner_and_deadline_and_an_sla_breach_escalates_to_the_owners_lead_once_also_on_a_doubled_tick()
    {
        var (ledger, customer, disputes) = await StartAsync();
        await using var _ = ledger;
        var opened = Accepted(await disputes.Open(new OpenDispute("D-1", "INV-1", "duplicate-billing", Note: "billed twice"), LedgerCluster.Collector));
        Assert.Equal(("Billing", "billing-lead", new DateOnly(2026, 3, 4), LedgerCluster.Usd(1_000m)), (opened.Department, opened.Lead, opened.Deadline, opened.Amount));

        await ledger.Cluster.AdvanceTimeAsync(new DateTimeOffset(2026, 3, 4, 23, 59, 0, TimeSpan.Zero) - ledger.Clock.GetUtcNow());   // the SLA's last day
        Assert.Empty(await EventsAsync<DisputeEscalated>(ledger, LedgerTopics.Account(customer)));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(2));   // 5 March: overdue

        var escalated = Assert.Single(await EventsAsync<DisputeEscalated>(ledger, LedgerTopics.Account(customer)));
        Assert.Equal(("billing-lead", new DateOnly(2026, 3, 5), 1, "D-1"), (escalated.To, escalated.On, escalated.DaysOverdue, escalated.Dispute.Id));
        Assert.Single(await EventsAsync<DisputeEscalated>(ledger, LedgerTopics.Collector("col-1")));
        Assert.Single(await EventsAsync<DisputeEscalated>(ledger, LedgerTopics.Portfolio("P1")));

        // The tick delivered again, and later days: still one escalation.
        await ledger.Cluster.DeliverReminderAsync<IDisputeGrain>(customer, DisputeGrain.SlaReminder,
            new TickStatus(Start, TimeSpan.FromDays(1), Start, ledger.Clock.GetUtcNow(), 1, IsCatchUp: false));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(3));
        Assert.Single(await EventsAsync<DisputeEscalated>(ledger, LedgerTopics.Account(customer)));
        Assert.Equal(new DateOnly(2026, 3, 5), (await disputes.List()).Single().EscalatedOn);
        var indexed = await ledger.Cluster.GetGrain<IDisputeIndexGrain>(DisputeIndexGrain.Key).Query(new DisputeFilter(CustomerId: customer));
        Assert.Equal(new DateOnly(2026, 3, 5), Assert.Single(indexed).Dispute.EscalatedOn);
    }

    [Fact]
    public async Task A_valid_resolution_issues_the_credit_note_for_the_agreed_amount_once_and_ends_the_ledgers_dispute()
    {
        var (ledger, customer, disputes) = await StartAsync();
        await using var _ = ledger;
        Accepted(await disputes.Open(new OpenDispute("D-1", "INV-1", "pricing", LedgerCluster.Usd(400m)), LedgerCluster.Collector));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(6));   // 7 March

        var resolved = Accepted(await disputes.Resolve(new SettleDispute("D-1", DisputeOutcome.Valid, LedgerCluster.Usd(300m), "price list error"), LedgerCluster.TeamLead));
        Assert.Equal((DisputeStatus.Resolved, DisputeOutcome.Valid, 6, "dispute-D-1"), (resolved.Status, resolved.Outcome, resolved.CycleDays, resolved.CreditId));

        var invoice = (await ledger.Account(customer).GetLedger()).Invoice("INV-1")!;
        Assert.Equal((LedgerCluster.Usd(700m), false, LedgerCluster.Usd(300m)), (invoice.OpenAmount, invoice.Disputed, invoice.Credits["dispute-D-1"]));

        // A retried resolution is unchanged: no second credit note, no second event.
        var again = await disputes.Resolve(new SettleDispute("D-1", DisputeOutcome.Valid, LedgerCluster.Usd(300m), "price list error"), LedgerCluster.TeamLead);
        Assert.True(again.Unchanged);
        Assert.Equal(LedgerCluster.Usd(700m), (await ledger.Account(customer).GetLedger()).Invoice("INV-1")!.OpenAmount);
        Assert.Single(await EventsAsync<DisputeResolved>(ledger, LedgerTopics.Account(customer)));

        // Another outcome for a resolved dispute is refused.
        var other = await disputes.Resolve(new SettleDispute("D-1", DisputeOutcome.Invalid, Note: "changed my mind"), LedgerCluster.TeamLead);
        Assert.Equal(("outcome", "dispute_resolved"), (other.Error!.Field, other.Error.Code));
    }

    [Fact]
    public async Task An_invalid_resolution_needs_a_note_and_sends_the_amount_back_to_collections()
    {
        var (ledger, customer, disputes) = await StartAsync();
        await using var _ = ledger;
        Accepted(await disputes.Open(new OpenDispute("D-1", "INV-1", "service"), LedgerCluster.Collector));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(11));   // 12 March: held, nothing after the courtesy reminder's day
        Assert.True((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);

        var refused = await disputes.Resolve(new SettleDispute("D-1", DisputeOutcome.Invalid), LedgerCluster.TeamLead);
        Assert.Equal(("note", ErrorCodes.Required), (refused.Error!.Field, refused.Error.Code));
        Assert.Equal(DisputeStatus.Open, (await disputes.List()).Single().Status);
        Assert.True((await ledger.Account(customer).GetLedger()).Invoice("INV-1")!.Disputed);

        var resolved = Accepted(await disputes.Resolve(new SettleDispute("D-1", DisputeOutcome.Invalid, Note: "service was delivered as ordered"), LedgerCluster.TeamLead));
        Assert.Equal((DisputeOutcome.Invalid, "service was delivered as ordered", (Money?)null), (resolved.Outcome, resolved.ResolutionNote, resolved.Credited));
        var invoice = (await ledger.Account(customer).GetLedger()).Invoice("INV-1")!;
        Assert.Equal((false, LedgerCluster.Usd(1_000m)), (invoice.Disputed, invoice.UndisputedOpenAmount));
        Assert.False((await ledger.Invoice(customer, "INV-1").GetWorkflow()).Held);
    }

    [Fact]
    public async Task A_bad_opening_is_refused_naming_the_field_and_changes_nothing()
    {
        var (ledger, customer, disputes) = await StartAsync();
        await using var _ = ledger;
        Accepted(await disputes.Open(new OpenDispute("D-1", "INV-1", "pricing", LedgerCluster.Usd(800m)), LedgerCluster.Collector));
        var before = (await ledger.TopicAsync(LedgerTopics.Account(customer))).Count;

        Assert.Equal("amount", (await disputes.Open(new OpenDispute("D-2", "INV-1", "pricing", LedgerCluster.Usd(300m)), LedgerCluster.Collector)).Error!.Field);
        Assert.Equal("reasonCode", (await disputes.Open(new OpenDispute("D-3", "INV-1", "weather"), LedgerCluster.Collector)).Error!.Field);
        Assert.Equal("invoiceNumber", (await disputes.Open(new OpenDispute("D-4", "INV-9", "pricing"), LedgerCluster.Collector)).Error!.Field);
        Assert.Equal("amount.currency", (await disputes.Open(new OpenDispute("D-5", "INV-1", "pricing", new Money(10m, "EUR")), LedgerCluster.Collector)).Error!.Field);
        Assert.Equal(ErrorCodes.IdConflict, (await disputes.Open(new OpenDispute("D-1", "INV-1", "quantity"), LedgerCluster.Collector)).Error!.Code);

        Assert.Equal(["D-1"], (await disputes.List()).Select(d => d.Id));
        Assert.Equal(before, (await ledger.TopicAsync(LedgerTopics.Account(customer))).Count);
        Assert.Equal(LedgerCluster.Usd(800m), (await ledger.Account(customer).GetLedger()).Invoice("INV-1")!.DisputedAmount);
        Assert.True((await disputes.Open(new OpenDispute("D-1", "INV-1", "pricing", LedgerCluster.Usd(800m)), LedgerCluster.Collector)).Unchanged);
    }

    [Fact]
    public void The_summary_counts_disputes_and_cycle_times_by_reason()
    {
        var actor = new Actor("col-1", ActorRole.Collector);
        Dispute Make(string id, string reason, decimal amount, int openedDay, int? resolvedDay, DisputeOutcome? outcome = null, bool escalated = false) =>
            new Dispute(id, "C-1", "INV-" + id, LedgerCluster.Usd(amount), reason, "X", "x-lead", new DateOnly(2026, 3, openedDay), new DateOnly(2026, 3, openedDay + 5), actor, null)
            {
                Status = resolvedDay is null ? DisputeStatus.Open : DisputeStatus.Resolved,
                ResolvedOn = resolvedDay is { } r ? new DateOnly(2026, 3, r) : null,
                Outcome = outcome,
                Credited = outcome == DisputeOutcome.Valid ? LedgerCluster.Usd(amount / 2) : null,
                EscalatedOn = escalated ? new DateOnly(2026, 3, openedDay + 6) : null,
            };

        var summary = DisputeRules.Summarize(
        [
            Make("1", "pricing", 100m, 1, 5, DisputeOutcome.Valid),
            Make("2", "pricing", 300m, 2, 12, DisputeOutcome.Invalid, escalated: true),
            Make("3", "pricing", 50m, 3, null),
            Make("4", "quantity", 20m, 1, null),
        ]);

        Assert.Equal<DisputeReasonSummary>(
            [
                new DisputeReasonSummary("pricing", "USD", 3, 1, 1, 1, 1, 450m, 50m, 7m, 10),
                new DisputeReasonSummary("quantity", "USD", 1, 1, 0, 0, 0, 20m, 0m, null, null),
            ],
            summary.ToArray());
    }
    [Fact]
    public async Task A_dispute_deadline_within_two_days_raises_the_accounts_priority_until_the_dispute_is_resolved()
    {
        await using var ledger = await LedgerCluster.StartAsync(start: Start);
        var customer = LedgerCluster.NewId("DSQ");
        await ledger.OpenAsync(customer, "UTC");
        await ledger.IssueAsync(customer, "INV-1", 1_000m, new DateOnly(2026, 1, 21), new DateOnly(2026, 2, 20));   // past due on 1 March
        var disputes = ledger.Cluster.GetGrain<IDisputeGrain>(customer);
        var queue = ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1");
        Accepted(await disputes.Open(new OpenDispute("D-1", "INV-1", "duplicate-billing", LedgerCluster.Usd(400m)), LedgerCluster.Collector));   // deadline 4 March

        var opened = (await queue.Top(10, null)).Entries.Single(e => e.CustomerId == customer);
        Assert.Equal((new DateOnly(2026, 3, 4), 0, 600m), (opened.Inputs.DisputeDeadline, opened.Score.Dispute, opened.Inputs.PastDueAmount));

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(1));   // 2 March: the deadline is 2 days away
        Assert.Equal(15, (await queue.Top(10, null)).Entries.Single(e => e.CustomerId == customer).Score.Dispute);

        Accepted(await disputes.Resolve(new SettleDispute("D-1", DisputeOutcome.Invalid, Note: "billed once only"), LedgerCluster.TeamLead));
        var resolved = (await queue.Top(10, null)).Entries.Single(e => e.CustomerId == customer);
        Assert.Equal(((DateOnly?)null, 0, 1_000m), (resolved.Inputs.DisputeDeadline, resolved.Score.Dispute, resolved.Inputs.PastDueAmount));
    }
}
