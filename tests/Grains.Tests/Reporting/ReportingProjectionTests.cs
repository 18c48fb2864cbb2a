using System.Text.Json;
using ArActors.Grains.Reporting;
using LedgerInvoiceIssued = ArActors.Grains.Invoices.InvoiceIssued;

namespace ArActors.Grains.Tests.Reporting;

/// <summary>The reporting projection's fold over ledger events: partial payments, reversals, credits, dimensions, restated reports.</summary>
public sealed class ReportingProjectionTests
{
    private static readonly AuditStamp Stamp = new(new Actor("test", ActorRole.System), DateTimeOffset.UnixEpoch, "test");
    private static readonly ExchangeRates Usd = new("USD", [new ExchangeRate("EUR", new DateOnly(2024, 1, 1), 1.1m)]);

    private static AccountProfile Profile(string id, string portfolio, string? collector, string currency = "USD", string country = "DE") =>
        new(id, "Customer " + id, country, "Europe/Berlin", currency, PaymentTerms.Net(30), 10_000m, CustomerSegment.Corporate, portfolio, collector, []);

    private static AccountOpened Opened(AccountProfile profile) => new(profile) { CustomerId = profile.CustomerId, Effective = new DateOnly(2024, 1, 1), Audit = Stamp };

    private static LedgerInvoiceIssued Issued(string customer, string number, DateOnly issue, DateOnly due, decimal amount, string currency = "USD") =>
        new(number, issue, due, new Money(amount, currency), new ExternalRefs()) { CustomerId = customer, Effective = issue, Audit = Stamp };

    private static PaymentApplied Applied(string customer, string number, DateOnly on, decimal amount, string allocation, string currency = "USD") =>
        new(number, allocation, "pay-" + allocation, new Money(amount, currency), on) { CustomerId = customer, Effective = on, Audit = Stamp };

    private static ReportingState Fold(params LedgerEvent[] events) =>
        events.Select((e, i) => (e, i)).Aggregate(ReportingState.Empty, (s, p) => s.Apply(p.e, p.i + 1));

    [Fact]
    public void A_partly_paid_invoice_stays_one_open_invoice_with_its_rest_in_its_bucket_until_paid_in_full()
    {
        var state = Fold(
            Opened(Profile("A", "north", "k1")),
            Issued("A", "1", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 300m),
            Applied("A", "1", new DateOnly(2024, 2, 20), 100m, "a1"),
            Applied("A", "1", new DateOnly(2024, 3, 25), 200m, "a2"));

        var march = ReportFigures.Aging(state, ReportDimension.All, new DateOnly(2024, 3, 1), Usd).Single();
        Assert.Equal(200m, march.Total);
        Assert.Equal(new BucketBalance("1-30", 200m, 1), march.Buckets[1]);
        var paid = ReportFigures.Aging(state, ReportDimension.All, new DateOnly(2024, 3, 25), Usd).Single();
        Assert.Equal(0m, paid.Total);
        Assert.All(paid.Buckets, b => Assert.Equal(0, b.Count));
        var dso = ReportFigures.Dso(state, ReportDimension.All, ReportingPeriod.Month(2024, 3), Usd).Single();
        Assert.Equal(1, dso.SettledInvoices);
        Assert.Equal(45.00m, dso.AverageDaysLate);
    }

    [Fact]
    public void A_reversed_allocation_reopens_the_invoice_and_takes_back_its_days_late()
    {
        var reversal = new AllocationReversed("1", "a1", "pay-a1", new Money(300m, "USD")) { CustomerId = "A", Effective = new DateOnly(2024, 2, 15), Audit = Stamp };
        var state = Fold(
            Opened(Profile("A", "north", "k1")),
            Issued("A", "1", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 300m),
            Applied("A", "1", new DateOnly(2024, 2, 12), 300m, "a1"),
            reversal);

        Assert.Equal(0m, ReportFigures.Aging(state, ReportDimension.All, new DateOnly(2024, 2, 13), Usd).Single().Total);
        var after = ReportFigures.Aging(state, ReportDimension.All, new DateOnly(2024, 2, 15), Usd).Single();
        Assert.Equal(new BucketBalance("1-30", 300m, 1), after.Buckets[1]);
        Assert.Null(ReportFigures.Dso(state, ReportDimension.All, ReportingPeriod.Month(2024, 2), Usd).Single().AverageDaysLate);
        Assert.False(state.Invoices[ReportingState.InvoiceKey("A", "1")].PaidInFull);
    }

    [Fact]
    public void Credits_write_offs_and_cancellations_lower_open_ar_but_are_not_payments()
    {
        var effective = new DateOnly(2024, 2, 1);
        var state = Fold(
            Opened(Profile("A", "north", "k1")),
            Issued("A", "1", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 100m),
            Issued("A", "2", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 200m),
            Issued("A", "3", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 400m),
            new InvoiceCredited("1", "c1", new Money(100m, "USD"), CreditKind.CreditNote) { CustomerId = "A", Effective = effective, Audit = Stamp },
            new InvoiceWrittenOff("2", "w1", new Money(50m, "USD"), new Actor("m", ActorRole.Manager)) { CustomerId = "A", Effective = effective, Audit = Stamp },
            new InvoiceCancelled("3") { CustomerId = "A", Effective = effective, Audit = Stamp });

        var aging = ReportFigures.Aging(state, ReportDimension.All, effective, Usd).Single();
        Assert.Equal(150m, aging.Total);
        Assert.Equal(1, aging.Buckets.Sum(b => b.Count));
        Assert.Equal(0, ReportFigures.Dso(state, ReportDimension.All, ReportingPeriod.Month(2024, 2), Usd).Single().SettledInvoices);
    }

    [Fact]
    public void Repeated_issue_events_count_once_and_events_outside_the_figures_only_move_the_cursor()
    {
        var issue = Issued("A", "1", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 100m);
        var state = Fold(Opened(Profile("A", "north", "k1")), issue, issue,
            new InvoiceDisputed("1") { CustomerId = "A", Effective = new DateOnly(2024, 1, 12), Audit = Stamp });

        Assert.Equal(4, state.Cursor);
        Assert.Equal(100m, ReportFigures.Aging(state, ReportDimension.All, new DateOnly(2024, 1, 31), Usd).Single().Total);
    }

    [Fact]
    public void Groups_follow_the_account_dimensions_at_issue_and_the_book_is_restated_in_the_reporting_currency()
    {
        var asOf = new DateOnly(2024, 1, 31);
        var state = Fold(
            Opened(Profile("A", "north", "k1")),
            Opened(Profile("B", "south", null, "EUR", "FR")),
            Issued("A", "1", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 100m),
            Issued("B", "1", new DateOnly(2024, 1, 10), new DateOnly(2024, 1, 20), 200m, "EUR"),
            new AccountProfileUpdated(Profile("A", "west", "k2")) { CustomerId = "A", Effective = asOf, Audit = Stamp },
            Issued("A", "2", new DateOnly(2024, 1, 20), new DateOnly(2024, 2, 19), 50m));

        var byPortfolio = ReportFigures.Aging(state, ReportDimension.Portfolio, asOf, Usd);
        Assert.Equal(["north", "south", "west"], byPortfolio.Select(r => r.Group));
        Assert.Equal([100m, 220m, 50m], byPortfolio.Select(r => r.Total));
        Assert.Equal(["k1", "k2", ReportDimension.Unassigned], ReportFigures.Aging(state, ReportDimension.Collector, asOf, Usd).Select(r => r.Group));
        Assert.Equal(["EUR", "USD"], ReportFigures.Aging(state, ReportDimension.Currency, asOf, Usd).Select(r => r.Group));
        var book = ReportFigures.Aging(state, ReportDimension.All, asOf, Usd).Single();
        Assert.Equal(370m, book.Total);
        Assert.Equal(220m, book.PastDue);
        Assert.Throws<MissingExchangeRateException>(() => ReportFigures.Aging(state, ReportDimension.All, new DateOnly(2023, 12, 31), Usd));
    }

    [Fact]
    public void Daily_totals_folded_from_the_ibm_file_equal_the_full_scan_on_days_that_are_not_month_ends()
    {
        var totals = IbmData.Items.Aggregate(ReceivableTotals.Empty("USD"), (t, i) =>
        {
            var issued = t.Issue(i.IssueDate, i.DueDate, i.Amount);
            return issued.Reduce(i.DueDate, i.SettledDate!.Value, i.Amount, 1).Settle(i.DueDate, i.SettledDate!.Value);
        });

        for (var day = new DateOnly(2012, 1, 15); day <= new DateOnly(2013, 12, 15); day = day.AddDays(17))
        {
            var expected = AgingFigures.AsOf(IbmData.Items, day);
            var actual = totals.Aging(day);
            Assert.Equal(expected.Buckets, actual.Buckets);
            Assert.Equal(Receivables.OpenAr(IbmData.Items, day), totals.OpenAr(day).Amount);
        }
    }

    [Fact]
    public void The_state_survives_a_json_round_trip_with_the_same_figures()
    {
        var state = Fold(
            Opened(Profile("A", "north", "k1")),
            Issued("A", "1", new DateOnly(2024, 1, 10), new DateOnly(2024, 2, 9), 300m),
            Applied("A", "1", new DateOnly(2024, 2, 20), 100m, "a1"));
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var back = JsonSerializer.Deserialize<ReportingState>(JsonSerializer.SerializeToUtf8Bytes(state, json), json)!;

        Assert.Equal(state.Cursor, back.Cursor);
        Assert.Equal(state.Invoices.Values, back.Invoices.Values);
        var month = ReportingPeriod.Month(2024, 2);
        Assert.Equal(ReportFigures.Dso(state, ReportDimension.Portfolio, month, Usd), ReportFigures.Dso(back, ReportDimension.Portfolio, month, Usd));
        Assert.Equal(
            ReportFigures.Aging(state, ReportDimension.All, new DateOnly(2024, 2, 25), Usd).Single().Buckets,
            ReportFigures.Aging(back, ReportDimension.All, new DateOnly(2024, 2, 25), Usd).Single().Buckets);
    }
}
