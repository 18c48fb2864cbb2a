using System.Text.Json;
using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;
using ArActors.Runtime;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Escalation records with a manual clock: one per raised escalation, acknowledged and resolved once, with events.</summary>
public sealed class EscalationTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Due = new(2026, 3, 10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<(LedgerCluster Ledger, string Customer, IEscalationGrain Book)> StartAsync()
    {
        var ledger = await LedgerCluster.StartAsync(start: Start);
        var customer = LedgerCluster.NewId("ESC");
        await ledger.OpenAsync(customer, "UTC");
        await ledger.IssueAsync(customer, "INV-1", 1_000m, new DateOnly(2026, 3, 1), Due);
        return (ledger, customer, ledger.Cluster.GetGrain<IEscalationGrain>(EscalationGrain.Key));
    }

    private static async Task<List<string>> TypesAsync(LedgerCluster ledger, string topic) =>
        [.. (await ledger.TopicAsync(topic)).Select(e => e.EventType).Where(t => t is nameof(EscalationAcknowledged) or nameof(EscalationResolved))];

    [Fact]
    public async Task Every_escalation_a_ladder_step_raises_becomes_one_record_also_when_the_tick_is_doubled()
    {
        var (ledger, customer, book) = await StartAsync();
        await using var _ = ledger;
        await ledger.Cluster.AdvanceTimeAsync(Due.AddDays(30).ToDateTime(TimeOnly.MinValue) - ledger.Clock.GetUtcNow().UtcDateTime + TimeSpan.FromHours(1));

        var records = await book.List(new EscalationFilter(CustomerId: customer));
        Assert.Equal(
            [(EscalationTarget.TeamLead, "escalate-team-lead", 1), (EscalationTarget.SalesOwner, "notify-sales", 1)],
            records.Select(r => (r.To, r.StepId, r.Level)));
        Assert.All(records, r => Assert.Equal(("P1", "col-1", EscalationStatus.Open, Due.AddDays(30)), (r.Portfolio, r.Collector, r.Status, r.RaisedOn)));

        var at = new DateTimeOffset(Due.AddDays(30).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await ledger.Cluster.DeliverReminderAsync<IInvoiceGrain>(AccountGrain.InvoiceKey(customer, "INV-1"), InvoiceGrain.AgingReminder,
            new TickStatus(at, TimeSpan.FromDays(1), at, at, 1, IsCatchUp: false));
        Assert.Equal(2, (await book.List(new EscalationFilter(CustomerId: customer))).Length);

        // Each record is announced once, with its id, where the escalation was raised.
        foreach (var topic in new[] { LedgerTopics.Account(customer), LedgerTopics.Collector("col-1"), LedgerTopics.Portfolio("P1"), LedgerTopics.Ledger })
        {
            var announced = (await ledger.TopicAsync(topic)).Where(e => e.EventType == nameof(EscalationRecorded))
                .Select(e => JsonSerializer.Deserialize<EscalationRecorded>(e.Payload.Span, Json)!.Escalation.Id);
            Assert.Equal(records.Select(r => r.Id).Order(StringComparer.Ordinal), announced.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Acknowledge_and_resolve_publish_once_and_a_resolution_needs_a_note()
    {
        var (ledger, customer, book) = await StartAsync();
        await using var _ = ledger;
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(40));
        var id = (await book.List(new EscalationFilter(CustomerId: customer))).First(r => r.To == EscalationTarget.TeamLead).Id;

        var acknowledged = await book.Acknowledge(id, "looking at it", LedgerCluster.TeamLead);
        Assert.Equal((EscalationStatus.Acknowledged, "lead-1", "looking at it"), (acknowledged.Escalation!.Status, acknowledged.Escalation.AcknowledgedBy!.Id, acknowledged.Escalation.AcknowledgementNote));
        Assert.True((await book.Acknowledge(id, "again", LedgerCluster.TeamLead)).Unchanged);

        var refused = await book.Resolve(id, " ", LedgerCluster.TeamLead);
        Assert.Equal(("note", ErrorCodes.Required), (refused.Error!.Field, refused.Error.Code));
        Assert.Equal(EscalationStatus.Acknowledged, (await book.Get(id))!.Status);

        var resolved = await book.Resolve(id, "payment plan agreed", LedgerCluster.TeamLead);
        Assert.Equal((EscalationStatus.Resolved, "payment plan agreed"), (resolved.Escalation!.Status, resolved.Escalation.ResolutionNote));
        Assert.True((await book.Resolve(id, "payment plan agreed", LedgerCluster.TeamLead)).Unchanged);
        Assert.True((await book.Acknowledge(id, null, LedgerCluster.TeamLead)).Unchanged);

        foreach (var topic in new[] { LedgerTopics.Account(customer), LedgerTopics.Collector("col-1"), LedgerTopics.Portfolio("P1"), LedgerTopics.Ledger })
        {
            Assert.Equal([nameof(EscalationAcknowledged), nameof(EscalationResolved)], await TypesAsync(ledger, topic));
        }

        var stored = (await ledger.TopicAsync(LedgerTopics.Collector("col-1"))).Single(e => e.EventType == nameof(EscalationResolved));
        Assert.Equal(id, JsonSerializer.Deserialize<EscalationResolved>(stored.Payload.Span, Json)!.Escalation.Id);
        Assert.Equal("unknown_escalation", (await book.Resolve("ESC-999999", "x", LedgerCluster.TeamLead)).Error!.Code);
    }

    [Fact]
    public async Task A_broken_promise_raises_an_escalation_record_to_the_team_lead()
    {
        var (ledger, customer, book) = await StartAsync();
        await using var _ = ledger;
        var promises = ledger.Cluster.GetGrain<IPromiseGrain>(customer);
        Assert.True((await promises.Make(new PromiseToPay("P-1", LedgerCluster.Usd(500m), new DateOnly(2026, 3, 5), ["INV-1"]), LedgerCluster.Collector)).Accepted);

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(5));   // 6 March: broken

        var record = Assert.Single(await book.List(new EscalationFilter(EscalationStatus.Open, CustomerId: customer)));
        Assert.Equal((EscalationTarget.TeamLead, "promise:P-1", new DateOnly(2026, 3, 6)), (record.To, record.StepId, record.RaisedOn));
    }
}
