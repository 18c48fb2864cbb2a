using ArActors.Grains.Invoices;
using ArActors.Grains.Reporting;
using LedgerInvoiceIssued = ArActors.Grains.Invoices.InvoiceIssued;

namespace ArActors.Grains.Tests.Reporting;

/// <summary>The worked example of docs/metrics.md ("Collections figures in the engine"), folded through the projection.</summary>
public sealed class CollectionsFiguresTests
{
    private static readonly AuditStamp Stamp = new(new Actor("test", ActorRole.System), DateTimeOffset.UnixEpoch, "test");
    private static readonly ExchangeRates Usd = new("USD", [new ExchangeRate("EUR", new DateOnly(2024, 1, 1), 1.1m)]);
    private static readonly ReportingPeriod January = ReportingPeriod.Month(2024, 1);
    private static readonly ReportingPeriod February = ReportingPeriod.Month(2024, 2);

    private static AccountProfile Profile(string id, string portfolio, string collector, string currency = "USD") =>
        new(id, "Customer " + id, "DE", "Europe/Berlin", currency, PaymentTerms.Net(30), 10_000m, CustomerSegment.Corporate, portfolio, collector, []);

    private static AccountOpened Opened(AccountProfile profile) => new(profile) { CustomerId = profile.CustomerId, Effective = new DateOnly(2024, 1, 1), Audit = Stamp };

    private static LedgerInvoiceIssued Issued(string customer, string number, DateOnly issue, decimal amount, string currency = "USD") =>
        new(number, issue, issue.AddDays(30), new Money(amount, currency), new ExternalRefs()) { CustomerId = customer, Effective = issue, Audit = Stamp };

    private static PaymentApplied Paid(string customer, string number, DateOnly on, decimal amount, string currency = "USD") =>
        new(number, "al-" + number + on.DayNumber, "pay-" + number, new Money(amount, currency), on) { CustomerId = customer, Effective = on, Audit = Stamp };

    private static InvoiceDisputed Disputed(string customer, string number, DateOnly on) => new(number) { CustomerId = customer, Effective = on, Audit = Stamp };

    private static InvoiceDisputeResolved Resolved(string customer, string number, DateOnly on) => new(number) { CustomerId = customer, Effective = on, Audit = Stamp };

    private static DateOnly Feb(int day) => new(2024, 2, day);

    /// <summary>The book of the worked example: two accounts of collector c1 in portfolio north, one EUR account of c2 in south.</summary>
    private static ReportingState Book()
    {
        var s = ReportingState.Empty;
        long seq = 0;
        ReportingState Add(ReportingState state, LedgerEvent e, string? reason = null) => state.Apply(e, ++seq, reason);
        s = Add(s, Opened(Profile("A1", "north", "c1")));
        s = Add(s, Opened(Profile("A2", "north", "c1")));
        s = Add(s, Opened(Profile("B1", "south", "c2", "EUR")));
        s = Add(s, Issued("A1", "INV1", new DateOnly(2024, 1, 1), 1000m));   // due 01-31
        s = Add(s, Issued("A1", "INV2", new DateOnly(2024, 1, 5), 500m));    // due 02-04
        s = Add(s, Issued("A1", "INV3", new DateOnly(2024, 1, 10), 300m));   // due 02-09
        s = Add(s, Issued("A2", "INV4", Feb(1), 400m));
        s = Add(s, Issued("A2", "INV5", Feb(2), 250m));
        s = Add(s, Issued("B1", "E1", new DateOnly(2024, 1, 2), 100m, "EUR")); // due 02-01
        s = Add(s, Paid("A1", "INV1", new DateOnly(2024, 1, 31), 1000m));    // on time
        s = Add(s, Paid("A1", "INV2", Feb(14), 500m));                        // 10 days late
        s = Add(s, Paid("A1", "INV3", Feb(9), 300m));                         // on time
        s = Add(s, Paid("B1", "E1", Feb(11), 100m, "EUR"));                   // 10 days late, 110 USD
        s = Add(s, Disputed("A2", "INV4", Feb(5)), "pricing");
        s = Add(s, Resolved("A2", "INV4", Feb(25)));
        s = Add(s, Disputed("A2", "INV5", Feb(10)));                          // no reason: "unspecified", still open
        s = s.ApplyPromise("A1", "USD", Feb(1), new PromiseTally(1, 0, 0), ++seq);
        s = s.ApplyPromise("A1", "USD", Feb(2), new PromiseTally(1, 0, 0), ++seq);
        s = s.ApplyPromise("A2", "USD", Feb(3), new PromiseTally(1, 0, 0), ++seq);
        s = s.ApplyPromise("A1", "USD", Feb(10), new PromiseTally(0, 1, 0), ++seq);
        s = s.ApplyPromise("A1", "USD", Feb(12), new PromiseTally(0, 1, 0), ++seq);
        s = s.ApplyPromise("A2", "USD", Feb(15), new PromiseTally(0, 0, 1), ++seq);
        s = s.ApplyActivity("A1", Feb(1), contact: true, rightParty: true, ++seq);   // call, right party
        s = s.ApplyActivity("A1", Feb(1), contact: true, rightParty: false, ++seq);  // e-mail
        s = s.ApplyActivity("A1", Feb(2), contact: false, rightParty: false, ++seq); // note
        s = s.ApplyActivity("A2", Feb(3), contact: true, rightParty: false, ++seq);  // call, no answer
        return s;
    }

    [Fact]
    public void Average_days_late_and_percent_paid_on_time_count_invoices_settled_in_the_period()
    {
        var state = Book();
        Assert.Equal(new PaymentBehaviourRow("all", 1, 0.00m, 1, 100.00m), CollectionsFigures.PaymentBehaviour(state, ReportDimension.All, January).Single());
        Assert.Equal(new PaymentBehaviourRow("all", 3, 6.67m, 1, 33.33m), CollectionsFigures.PaymentBehaviour(state, ReportDimension.All, February).Single());
        var byPortfolio = CollectionsFigures.PaymentBehaviour(state, ReportDimension.Portfolio, February);
        Assert.Equal([new PaymentBehaviourRow("north", 2, 5.00m, 1, 50.00m), new PaymentBehaviourRow("south", 1, 10.00m, 0, 0.00m)], byPortfolio);
    }

    [Fact]
    public void Promise_kept_rate_is_kept_over_kept_plus_broken_resolved_in_the_period()
    {
        var row = CollectionsFigures.Promises(Book(), ReportDimension.Collector, February).Single();
        Assert.Equal(new PromiseRow("c1", 3, 2, 1, 66.67m), row);
        Assert.Empty(CollectionsFigures.Promises(Book(), ReportDimension.Collector, January));
    }

    [Fact]
    public void Disputes_by_reason_count_amount_and_cycle_days_with_unspecified_for_no_reason()
    {
        var rows = CollectionsFigures.Disputes(Book(), ReportDimension.All, February, Usd);
        Assert.Equal(
            [new DisputeRow("all", "pricing", 1, 400m, 1, 20.00m), new DisputeRow("all", ReportingState.UnspecifiedReason, 1, 250m, 0, null)],
            rows);
    }

    [Fact]
    public void Cash_collected_against_target_is_pro_rata_by_day_and_restated_in_the_reporting_currency()
    {
        CashTarget[] targets = [new("north", Feb(1), Feb(29), 1000m), new("south", new DateOnly(2024, 1, 1), new DateOnly(2024, 3, 31), 91m)];
        var rows = CollectionsFigures.CashAgainstTarget(Book(), ReportDimension.Portfolio, February, Usd, targets);
        Assert.Equal(
            [new CashTargetRow("north", 800m, 1000m, -200m, 80.00m), new CashTargetRow("south", 110m, 29m, 81m, 379.31m)],
            rows);
        Assert.Equal(new CashTargetRow("all", 910m, 1029m, -119m, 88.44m), CollectionsFigures.CashAgainstTarget(Book(), ReportDimension.All, February, Usd, targets).Single());
        Assert.Null(CollectionsFigures.CashAgainstTarget(Book(), ReportDimension.Collector, February, Usd, targets)[0].Target);
        Assert.Equal(rows, CollectionsFigures.CashAgainstTarget(Book(), ReportDimension.Team, February, Usd, targets));
    }

    [Fact]
    public void Collector_performance_counts_distinct_accounts_contacts_right_party_promises_and_cash()
    {
        var rows = CollectionsFigures.CollectorPerformance(Book(), ReportDimension.Collector, February, Usd);
        Assert.Equal([new CollectorPerformanceRow("c1", 2, 3, 1, 3, 800m), new CollectorPerformanceRow("c2", 0, 0, 0, 0, 110m)], rows);
    }

    [Fact]
    public void Unallocated_cash_by_age_follows_receipts_allocations_reversals_and_identified_cash()
    {
        static PaymentReceived Received(string customer, string id, DateOnly on, decimal amount) =>
            new(new Grains.Payments.Payment(id, new Money(amount, "USD"), on, Grains.Payments.PaymentMethod.BankTransfer, [])) { CustomerId = customer, Effective = on, Audit = Stamp };

        var s = ReportingState.Empty;
        long seq = 0;
        s = s.Apply(Opened(Profile("A1", "north", "c1")), ++seq);
        s = s.Apply(Issued("A1", "INV1", new DateOnly(2024, 1, 1), 1000m), ++seq);
        s = s.Apply(Received("A1", "P1", new DateOnly(2024, 3, 29), 100m), ++seq);                    // 2 days old on 03-31
        s = s.Apply(Received("A1", "P2", new DateOnly(2024, 3, 1), 500m), ++seq);                     // 30 days old
        s = s.Apply(new PaymentApplied("INV1", "al-1", "P2", new Money(300m, "USD"), new DateOnly(2024, 3, 1)) { CustomerId = "A1", Effective = new DateOnly(2024, 3, 5), Audit = Stamp }, ++seq);
        s = s.Apply(new UnidentifiedCashReceived(new Grains.Payments.Payment("C1", new Money(300m, "USD"), new DateOnly(2024, 1, 15), Grains.Payments.PaymentMethod.Cheque, []), new DateOnly(2024, 1, 15))
            { CustomerId = null, Effective = new DateOnly(2024, 1, 15), Audit = Stamp }, ++seq);   // 76 days old, nobody's
        s = s.Apply(new UnidentifiedCashReceived(new Grains.Payments.Payment("C2", new Money(40m, "USD"), new DateOnly(2024, 3, 20), Grains.Payments.PaymentMethod.Cheque, []), new DateOnly(2024, 3, 20))
            { CustomerId = null, Effective = new DateOnly(2024, 3, 20), Audit = Stamp }, ++seq);
        s = s.Apply(new UnidentifiedCashIdentified("C2", "A1") { CustomerId = "A1", Effective = new DateOnly(2024, 3, 25), Audit = Stamp }, ++seq);
        s = s.Apply(new PaymentReceived(new Grains.Payments.Payment("C2", new Money(40m, "USD"), new DateOnly(2024, 3, 20), Grains.Payments.PaymentMethod.Cheque, [])) { CustomerId = "A1", Effective = new DateOnly(2024, 3, 25), Audit = Stamp }, ++seq);

        var all = CollectionsFigures.UnallocatedByAge(s, ReportDimension.All, new DateOnly(2024, 3, 31), Usd).Single();
        Assert.Equal([new BucketBalance("0-7", 100m, 1), new BucketBalance("8-30", 240m, 2), new BucketBalance("31-60", 0m, 0), new BucketBalance("61+", 300m, 1)], all.Buckets);
        Assert.Equal(640m, all.Total);
        var byPortfolio = CollectionsFigures.UnallocatedByAge(s, ReportDimension.Portfolio, new DateOnly(2024, 3, 31), Usd);
        Assert.Equal([("north", 340m), ("unknown", 300m)], byPortfolio.Select(r => (r.Group, r.Total)));
        // Before the allocation on 03-05, all of P2 was unallocated; before C2 was identified it sat in the unknown pool.
        Assert.Equal(500m, CollectionsFigures.UnallocatedByAge(s, ReportDimension.Portfolio, new DateOnly(2024, 3, 4), Usd).Single(r => r.Group == "north").Total);
        Assert.Equal(340m, CollectionsFigures.UnallocatedByAge(s, ReportDimension.Portfolio, new DateOnly(2024, 3, 24), Usd).Single(r => r.Group == "unknown").Total);
    }
}
