using System.Globalization;
using ArActors.TestKit;

namespace ArActors.Grains.Tests.Ledger;

/// <summary>
/// Replays IBM's accounts-receivable sample through the ledger (issue on InvoiceDate, pay in full on SettledDate with the
/// invoice number as remittance reference) and checks it against the file and against an independent computation.
/// </summary>
public class IbmReplayTests
{
    private static readonly Lazy<Replay> Replayed = new(Run);

    private sealed record Row(string Country, string CustomerId, string Number, DateTime InvoiceDate, DateTime DueDate, DateTime SettledDate,
        decimal Amount, int DaysToSettle, int DaysLate);

    private sealed record Replay(IReadOnlyList<Row> Rows, LedgerState Final, IReadOnlyList<LedgerEvent> History,
        IReadOnlyDictionary<DateOnly, (decimal Open, ImmutableArray<BucketAmount> Buckets, int Count)> LiveSummaries);

    public static TheoryData<DateOnly> MonthEnds() => new(MonthEndDates());

    /// <summary>Every month-end of 2012 and 2013, plus January 2014 when the last invoices are settled.</summary>
    private static List<DateOnly> MonthEndDates()
    {
        var dates = new List<DateOnly>();
        for (var month = new DateOnly(2012, 1, 1); month <= new DateOnly(2014, 1, 1); month = month.AddMonths(1))
        {
            dates.Add(month.AddMonths(1).AddDays(-1));
        }

        return dates;
    }

    [Fact]
    public void Every_invoice_settles_with_the_files_days_late_and_days_to_settle()
    {
        var replay = Replayed.Value;
        Assert.Equal(2_466, replay.Rows.Count);
        var mismatches = replay.Rows
            .Select(row => (row, invoice: replay.Final.Invoices[row.Number]))
            .Where(x => x.invoice.Status != InvoiceStatus.Paid || x.invoice.DaysLate != x.row.DaysLate || x.invoice.DaysToSettle != x.row.DaysToSettle)
            .Select(x => $"{x.row.Number}: status {x.invoice.Status}, late {x.invoice.DaysLate} vs {x.row.DaysLate}, settle {x.invoice.DaysToSettle} vs {x.row.DaysToSettle}")
            .ToList();
        Assert.Empty(mismatches);
        Assert.Equal(877, replay.Rows.Count(r => replay.Final.Invoices[r.Number].DaysLate > 0));
    }

    [Fact]
    public void Every_payment_was_applied_by_reference_in_full_and_the_ledger_balances()
    {
        var replay = Replayed.Value;
        Assert.All(replay.Final.Payments.Values, p => Assert.Equal(0m, p.Unapplied.Amount));
        Assert.Equal(2_466, replay.History.OfType<PaymentApplied>().Count());
        Assert.Empty(InvariantChecker.Check(replay.Final));
    }

    [Theory]
    [MemberData(nameof(MonthEnds))]
    public void Aging_as_of_a_month_end_rebuilt_from_history_matches_an_independent_computation(DateOnly monthEnd)
    {
        var replay = Replayed.Value;
        var expected = Independent(replay.Rows, monthEnd);

        var report = AgingReport.AsOf(replay.History, monthEnd, AgingPolicy.Default);

        Assert.Equal(expected.Open, report.OpenTotal("USD"));
        Assert.Equal(expected.Count, report.Items.Length);
        Assert.Equal(expected.Buckets, report.BucketTotals("USD").Select(b => (b.Bucket, b.Amount)));

        var asOf = monthEnd.ToDateTime(TimeOnly.MinValue);
        var perCustomer = replay.Rows.Where(r => r.InvoiceDate <= asOf && r.SettledDate > asOf)
            .GroupBy(r => r.CustomerId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(r => r.Amount))).ToList();
        Assert.Equal(perCustomer, report.Items.GroupBy(i => i.CustomerId).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(i => i.OpenAmount.Amount))).ToList());
    }

    [Theory]
    [MemberData(nameof(MonthEnds))]
    public void Live_account_summaries_taken_at_each_month_end_during_the_replay_match_too(DateOnly monthEnd)
    {
        var replay = Replayed.Value;
        var expected = Independent(replay.Rows, monthEnd);
        var live = replay.LiveSummaries[monthEnd];
        Assert.Equal(expected.Open, live.Open);
        Assert.Equal(expected.Count, live.Count);
        Assert.Equal(expected.Buckets, live.Buckets.Select(b => (b.Bucket, b.Amount)));
    }

    /// <summary>Straight from the CSV rows: open means invoiced on or before the date and settled after it.</summary>
    private static (decimal Open, int Count, List<(string, decimal)> Buckets) Independent(IReadOnlyList<Row> rows, DateOnly asOfDate)
    {
        var asOf = asOfDate.ToDateTime(TimeOnly.MinValue);
        var names = new[] { "Current", "1-30", "31-60", "61-90", "91-120", "120+" };
        var totals = new decimal[names.Length];
        var open = rows.Where(r => r.InvoiceDate <= asOf && r.SettledDate > asOf).ToList();
        foreach (var row in open)
        {
            var late = (asOf - row.DueDate).Days;
            var index = late <= 0 ? 0 : late <= 30 ? 1 : late <= 60 ? 2 : late <= 90 ? 3 : late <= 120 ? 4 : 5;
            totals[index] += row.Amount;
        }

        return (open.Sum(r => r.Amount), open.Count, names.Zip(totals).ToList());
    }

    private static Replay Run()
    {
        var path = SharedData.PathOf(SharedData.IbmReceivablesFile);
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidDataException($"Column {name} missing in {path}.");
        DateTime Date(string text) => DateTime.ParseExact(text, "M/d/yyyy", CultureInfo.InvariantCulture);
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).Select(f => new Row(
            f[Col("countryCode")], f[Col("customerID")], f[Col("invoiceNumber")],
            Date(f[Col("InvoiceDate")]), Date(f[Col("DueDate")]), Date(f[Col("SettledDate")]),
            decimal.Parse(f[Col("InvoiceAmount")], CultureInfo.InvariantCulture),
            int.Parse(f[Col("DaysToSettle")], CultureInfo.InvariantCulture), int.Parse(f[Col("DaysLate")], CultureInfo.InvariantCulture))).ToList();

        var state = LedgerState.Empty;
        var history = new List<LedgerEvent>();
        void Handle(LedgerCommand command, DateOnly on)
        {
            var outcome = LedgerRules.Handle(state, command, new CommandContext(new Actor("ibm-replay", ActorRole.System), new DateTimeOffset(on.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), on, "IBM sample replay"));
            Assert.True(outcome.Error is null, $"{command}: {outcome.Error}");
            state = outcome.State;
            history.AddRange(outcome.Events);
        }

        foreach (var customer in rows.GroupBy(r => r.CustomerId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = customer.Min(r => r.InvoiceDate);
            Handle(new OpenAccount(new AccountProfile(customer.Key, "IBM sample " + customer.Key, customer.First().Country, "America/New_York", "USD",
                PaymentTerms.Net(30), 100_000m, CustomerSegment.Corporate, "ibm-sample", null, [])), DateOnly.FromDateTime(first));
        }

        // Day by day: issues before payments on the same day (four invoices are settled the day they are issued).
        var steps = rows.Select(r => (Date: DateOnly.FromDateTime(r.InvoiceDate), Kind: 0, Row: r))
            .Concat(rows.Select(r => (Date: DateOnly.FromDateTime(r.SettledDate), Kind: 1, Row: r)))
            .OrderBy(s => s.Date).ThenBy(s => s.Kind).ThenBy(s => s.Row.Number, StringComparer.Ordinal)
            .ToList();
        var monthEnds = MonthEndDates();
        var summaries = new Dictionary<DateOnly, (decimal, ImmutableArray<BucketAmount>, int)>();
        var nextMonthEnd = 0;
        foreach (var step in steps)
        {
            while (nextMonthEnd < monthEnds.Count && step.Date > monthEnds[nextMonthEnd])
            {
                summaries[monthEnds[nextMonthEnd]] = Summarize(state, monthEnds[nextMonthEnd]);
                nextMonthEnd++;
            }

            var row = step.Row;
            if (step.Kind == 0)
            {
                Handle(new IssueInvoice(row.CustomerId, row.Number, step.Date, new Grains.Money(row.Amount, "USD"), PaymentTerms.Net(30),
                    DateOnly.FromDateTime(row.DueDate)), step.Date);
            }
            else
            {
                Handle(new ReceivePayment(row.CustomerId, new Payment("PAY-" + row.Number, new Grains.Money(row.Amount, "USD"), step.Date,
                    PaymentMethod.BankTransfer, [row.Number])), step.Date);
            }
        }

        for (; nextMonthEnd < monthEnds.Count; nextMonthEnd++)
        {
            summaries[monthEnds[nextMonthEnd]] = Summarize(state, monthEnds[nextMonthEnd]);
        }

        return new Replay(rows, state, history, summaries);
    }

    private static (decimal, ImmutableArray<BucketAmount>, int) Summarize(LedgerState state, DateOnly asOf)
    {
        var accounts = state.Accounts.Keys.Select(c => AccountSummary.Compute(state, c, asOf, AgingPolicy.Default)).ToList();
        var buckets = AgingPolicy.Default.Buckets.AsEnumerable()
            .Select((b, i) => new BucketAmount(b.Name, accounts.Sum(a => a.Buckets[i].Amount)))
            .ToImmutableArray();
        return (accounts.Sum(a => a.OpenBalance.Amount), buckets, accounts.Sum(a => a.OpenInvoiceCount));
    }
}
