using System.Text.Json;
using ArActors.Grains.Tests.Actors;
using ArActors.Grains.Workflow;
using ArActors.Runtime;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Promises to pay decided by reminder with a manual clock: kept, broken (escalation, priority), ladder paused.</summary>
public sealed class PromiseTests
{
    // 1 March 2026, 09:00 UTC; the test accounts are in Europe/Berlin.
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static PromiseToPay Promise(string id, decimal amount, int day, int grace = 2, params string[] invoices) =>
        new(id, LedgerCluster.Usd(amount), new DateOnly(2026, 3, day), [.. invoices.Length == 0 ? ["INV-1"] : invoices], grace);

    private static async Task<(LedgerCluster, string, IPromiseGrain)> StartAsync(string invoiceIssued = "2026-01-20")
    {
        var ledger = await LedgerCluster.StartAsync(start: Start);
        var id = LedgerCluster.NewId("PTP");
        await ledger.OpenAsync(id);
        await ledger.IssueAsync(id, "INV-1", 1_000m, DateOnly.Parse(invoiceIssued, System.Globalization.CultureInfo.InvariantCulture));
        return (ledger, id, ledger.Cluster.GetGrain<IPromiseGrain>(id));
    }

    private static async Task<List<string>> TypesAsync(LedgerCluster ledger, string id) =>
        [.. (await ledger.TopicAsync(LedgerTopics.Account(id))).Select(e => e.EventType).Where(t => t.StartsWith("Promise", StringComparison.Ordinal) || t == nameof(EscalationRaised))];

    [Fact]
    public async Task A_promise_broken_on_date_plus_grace_escalates_and_raises_the_accounts_priority_once()
    {
        var (ledger, id, promises) = await StartAsync();
        await using var _ = ledger;
        Assert.True((await promises.Make(Promise("P-1", 500m, 5), LedgerCluster.Collector)).Accepted);   // deadline 7 March
        await ledger.PayAsync(id, "PAY-1", 200m, new DateOnly(2026, 3, 3), "INV-1");
        var before = (await ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1").Top(10, null)).Entries.Single(e => e.CustomerId == id).Score;

        await ledger.Cluster.AdvanceTimeAsync(new DateTimeOffset(2026, 3, 7, 22, 59, 0, TimeSpan.Zero) - ledger.Clock.GetUtcNow());   // 23:59 Berlin on the deadline
        Assert.Equal(["PromiseMade"], await TypesAsync(ledger, id));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(2));   // 8 March in Berlin

        Assert.Equal(["PromiseMade", "PromiseBroken", "EscalationRaised"], await TypesAsync(ledger, id));
        var broken = JsonSerializer.Deserialize<PromiseBroken>((await ledger.TopicAsync(LedgerTopics.Account(id))).Single(e => e.EventType == "PromiseBroken").Payload.Span, Json)!;
        Assert.Equal((LedgerCluster.Usd(500m), LedgerCluster.Usd(200m), new DateOnly(2026, 3, 8)), (broken.Promised, broken.Paid, broken.On));
        var escalation = (await ledger.WorkAsync(LedgerTopics.Collector("col-1"))).OfType<EscalationRaised>().Single(e => e.Origin.StepId == "promise:P-1");
        Assert.Equal(EscalationTarget.TeamLead, escalation.To);
        var after = (await ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1").Top(10, null)).Entries.Single(e => e.CustomerId == id).Score;
        Assert.Equal((0, 15), (before.Promises, after.Promises));
        Assert.True(after.Total > before.Total);
        Assert.Equal(PromiseStatus.Broken, (await promises.List()).Single().Status);

        // The deadline tick again: nothing decided twice, nothing counted twice.
        await ledger.Cluster.DeliverReminderAsync<IPromiseGrain>(id, PromiseGrain.DeadlineReminder,
            new TickStatus(Start, TimeSpan.FromDays(1), Start, ledger.Clock.GetUtcNow(), 1, IsCatchUp: false));
        Assert.Equal(["PromiseMade", "PromiseBroken", "EscalationRaised"], await TypesAsync(ledger, id));
        Assert.Equal(15, (await ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1").Top(10, null)).Entries.Single(e => e.CustomerId == id).Score.Promises);
    }

    [Fact]
    public async Task A_kept_promise_publishes_kept_and_neither_escalates_nor_raises_priority()
    {
        var (ledger, id, promises) = await StartAsync();
        await using var _ = ledger;
        Assert.True((await promises.Make(Promise("P-1", 500m, 5), LedgerCluster.Collector)).Accepted);
        await ledger.PayAsync(id, "PAY-1", 300m, new DateOnly(2026, 3, 2), "INV-1");
        await ledger.PayAsync(id, "PAY-2", 200m, new DateOnly(2026, 3, 7), "INV-1");   // on the last day of grace

        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(8));

        Assert.Equal(["PromiseMade", "PromiseKept"], await TypesAsync(ledger, id));
        Assert.Equal((PromiseStatus.Kept, 500m), ((await promises.List()).Single().Status, (await promises.List()).Single().Paid));
        Assert.Equal(0, (await ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1").Top(10, null)).Entries.Single(e => e.CustomerId == id).Score.Promises);
    }

    [Fact]
    public async Task A_promise_pauses_its_invoices_ladder_until_the_day_after_its_deadline()
    {
        // Issued 10 Feb, due 12 March: the courtesy reminder would run on 9 March.
        var (ledger, id, promises) = await StartAsync("2026-02-10");
        await using var _ = ledger;
        Assert.Equal(new DateOnly(2026, 3, 9), (await ledger.Invoice(id, "INV-1").GetWorkflow()).NextStepOn);

        Assert.True((await promises.Make(Promise("P-1", 1_000m, 10, grace: 0), LedgerCluster.Collector)).Accepted);   // paused 1-10 March: 10 days

        Assert.Equal(new DateOnly(2026, 3, 19), (await ledger.Invoice(id, "INV-1").GetWorkflow()).NextStepOn);
        await ledger.Cluster.AdvanceTimeAsync(new DateTimeOffset(2026, 3, 18, 12, 0, 0, TimeSpan.Zero) - ledger.Clock.GetUtcNow());
        Assert.DoesNotContain(await ledger.WorkAsync(LedgerTopics.Account(id)), w => w.Origin.StepId == "courtesy-reminder");
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(1));
        Assert.Equal([("courtesy-reminder", new DateOnly(2026, 3, 19))], (await ledger.WorkAsync(LedgerTopics.Account(id))).Where(w => w.Origin.StepId == "courtesy-reminder").Steps());
    }

    [Theory]
    [InlineData("amount", "amount")]
    [InlineData("currency", "amount.currency")]
    [InlineData("past", "date")]
    [InlineData("invoice", "invoiceNumbers[1]")]
    [InlineData("grace", "graceDays")]
    public async Task A_bad_promise_is_refused_naming_the_field_and_records_nothing(string problem, string field)
    {
        var (ledger, id, promises) = await StartAsync();
        await using var _ = ledger;
        var good = Promise("P-1", 500m, 5);
        var bad = problem switch
        {
            "amount" => good with { Amount = LedgerCluster.Usd(-5m) },
            "currency" => good with { Amount = new Money(500m, "EUR") },
            "past" => good with { Date = new DateOnly(2026, 2, 28) },
            "invoice" => good with { InvoiceNumbers = ["INV-1", "INV-404"] },
            _ => good with { GraceDays = 31 },
        };

        var result = await promises.Make(bad, LedgerCluster.Collector);

        Assert.Equal(field, result.Error?.Field);
        Assert.Empty(await promises.List());
        Assert.Empty(await TypesAsync(ledger, id));
    }

    [Fact]
    public async Task A_repeated_promise_changes_nothing_and_other_terms_under_its_id_are_refused()
    {
        var (ledger, id, promises) = await StartAsync();
        await using var _ = ledger;

        var first = await promises.Make(Promise("P-1", 500m, 5), LedgerCluster.Collector);
        var repeat = await promises.Make(Promise("P-1", 500m, 5), LedgerCluster.Collector);
        var other = await promises.Make(Promise("P-1", 600m, 5), LedgerCluster.Collector);

        Assert.True(first.Accepted && !first.Unchanged);
        Assert.True(repeat.Accepted && repeat.Unchanged);
        Assert.Equal(("id", ErrorCodes.IdConflict), (other.Error!.Field, other.Error.Code));
        Assert.Equal(["PromiseMade"], await TypesAsync(ledger, id));
    }
}
