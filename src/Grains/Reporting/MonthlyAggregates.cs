using System.Collections.Immutable;

namespace ArActors.Grains.Reporting;

/// <summary>Events the aggregates fold; a settlement carries its invoice's due date and amount so no lookup is needed.</summary>
public abstract record ReceivableEvent(string InvoiceId, DateOnly DueDate, decimal Amount, string Currency);

public sealed record InvoiceIssued(string InvoiceId, DateOnly IssueDate, DateOnly DueDate, decimal Amount, string Currency)
    : ReceivableEvent(InvoiceId, DueDate, Amount, Currency);

public sealed record InvoiceSettled(string InvoiceId, DateOnly SettledDate, DateOnly DueDate, decimal Amount, string Currency)
    : ReceivableEvent(InvoiceId, DueDate, Amount, Currency);

/// <summary>An amount and how many invoices make it up.</summary>
public readonly record struct Tally(decimal Amount, int Count)
{
    public static Tally operator +(Tally left, Tally right) => new(left.Amount + right.Amount, left.Count + right.Count);

    public static Tally operator -(Tally left, Tally right) => new(left.Amount - right.Amount, left.Count - right.Count);

    public Tally Add(Tally other) => this + other;

    public Tally Subtract(Tally other) => this - other;
}

/// <summary>
/// Month-end AR figures as an incremental fold: state is sized by the calendar (months x due dates), not by the number of
/// invoices, and the fold is order-independent. Open AR at a month end = issued up to it - settled up to it; past-due
/// buckets come from issued-by-due-date minus settled-by-(due date, settled month), because an invoice due on or before
/// the month end was necessarily issued by then (issue &lt;= due is enforced). Current = open - past due.
/// </summary>
public sealed record MonthlyAggregates(
    string? Currency,
    ImmutableDictionary<DateOnly, Tally> IssuedByMonth,
    ImmutableDictionary<DateOnly, Tally> SettledByMonth,
    ImmutableDictionary<DateOnly, Tally> IssuedByDueDate,
    ImmutableDictionary<(DateOnly Due, DateOnly SettledMonth), Tally> SettledByDueDateAndMonth)
{
    public static MonthlyAggregates Empty { get; } = new(
        null,
        ImmutableDictionary<DateOnly, Tally>.Empty,
        ImmutableDictionary<DateOnly, Tally>.Empty,
        ImmutableDictionary<DateOnly, Tally>.Empty,
        ImmutableDictionary<(DateOnly, DateOnly), Tally>.Empty);

    public MonthlyAggregates Apply(ReceivableEvent e)
    {
        if (Currency is not null && !string.Equals(Currency, e.Currency, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"These aggregates hold {Currency}; event for invoice {e.InvoiceId} is in {e.Currency}. Keep one aggregate per currency.");
        }

        var one = new Tally(e.Amount, 1);
        return e switch
        {
            InvoiceIssued issued when issued.IssueDate > issued.DueDate =>
                throw new ArgumentException($"Invoice {issued.InvoiceId} is due before it is issued.", nameof(e)),
            InvoiceIssued issued => this with
            {
                Currency = e.Currency,
                IssuedByMonth = Add(IssuedByMonth, MonthStart(issued.IssueDate), one),
                IssuedByDueDate = Add(IssuedByDueDate, issued.DueDate, one),
            },
            InvoiceSettled settled => this with
            {
                Currency = e.Currency,
                SettledByMonth = Add(SettledByMonth, MonthStart(settled.SettledDate), one),
                SettledByDueDateAndMonth = Add(SettledByDueDateAndMonth, (settled.DueDate, MonthStart(settled.SettledDate)), one),
            },
            _ => throw new ArgumentException($"Unknown event {e.GetType().Name}.", nameof(e)),
        };
    }

    public static MonthlyAggregates Fold(IEnumerable<ReceivableEvent> events) => events.Aggregate(Empty, (state, e) => state.Apply(e));

    /// <summary>The events equivalent to a list of invoices (issue, and settlement when settled).</summary>
    public static IEnumerable<ReceivableEvent> EventsOf(IEnumerable<ReceivableItem> items) =>
        items.SelectMany(i => i.SettledDate is { } settled
            ? new ReceivableEvent[] { new InvoiceIssued(i.InvoiceId, i.IssueDate, i.DueDate, i.Amount, i.Currency), new InvoiceSettled(i.InvoiceId, settled, i.DueDate, i.Amount, i.Currency) }
            : [new InvoiceIssued(i.InvoiceId, i.IssueDate, i.DueDate, i.Amount, i.Currency)]);

    public decimal CreditSales(ReportingPeriod month) => IssuedByMonth.GetValueOrDefault(MonthStart(month.Start)).Amount;

    public decimal OpenArAtMonthEnd(ReportingPeriod month)
    {
        var m = MonthStart(month.Start);
        return IssuedByMonth.Where(p => p.Key <= m).Sum(p => p.Value.Amount) - SettledByMonth.Where(p => p.Key <= m).Sum(p => p.Value.Amount);
    }

    public AgingBreakdown AgingAtMonthEnd(ReportingPeriod month, IReadOnlyList<AgingBucket>? buckets = null)
    {
        buckets ??= AgingFigures.DefaultBuckets;
        AgingFigures.Validate(buckets);
        var end = month.End;
        var m = MonthStart(month.Start);
        var open = IssuedByMonth.Where(p => p.Key <= m).Aggregate(default(Tally), (a, p) => a + p.Value)
            - SettledByMonth.Where(p => p.Key <= m).Aggregate(default(Tally), (a, p) => a + p.Value);
        var pastDue = buckets.Skip(1).Select(b => PastDueIn(end, m, b)).ToList();
        var current = pastDue.Aggregate(open, (a, t) => a - t);
        return new AgingBreakdown(end, buckets.Select((b, i) =>
        {
            var t = i == 0 ? current : pastDue[i - 1];
            return new BucketBalance(b.Label, t.Amount, t.Count);
        }).ToList());
    }

    public decimal? SimpleDso(ReportingPeriod month) => Dso.Simple(OpenArAtMonthEnd(month), CreditSales(month), month.Days);

    public decimal? BestPossibleDso(ReportingPeriod month) => Dso.BestPossible(AgingAtMonthEnd(month).Current, CreditSales(month), month.Days);

    public decimal? CountBackDso(ReportingPeriod month)
    {
        if (IssuedByMonth.IsEmpty)
        {
            return null;
        }

        var earliest = IssuedByMonth.Keys.Min();
        var months = new List<MonthSales>();
        for (var p = month; p.End >= earliest; p = p.PreviousMonth())
        {
            months.Add(new MonthSales(p, CreditSales(p)));
        }

        return Dso.CountBack(OpenArAtMonthEnd(month), months);
    }

    public decimal? Cei(ReportingPeriod month)
    {
        var previous = month.PreviousMonth();
        return Reporting.Cei.Compute(OpenArAtMonthEnd(previous), CreditSales(month), OpenArAtMonthEnd(month), AgingAtMonthEnd(month).Current);
    }

    private Tally PastDueIn(DateOnly end, DateOnly month, AgingBucket bucket)
    {
        // days past due d <=> due = end - d, so the bucket [min, max] is the due-date range [end - max, end - min].
        var latestDue = end.AddDays(-bucket.MinDaysPastDue);
        var earliestDue = bucket.MaxDaysPastDue is { } max ? end.AddDays(-max) : DateOnly.MinValue;
        var issued = IssuedByDueDate.Where(p => p.Key >= earliestDue && p.Key <= latestDue).Aggregate(default(Tally), (a, p) => a + p.Value);
        var settled = SettledByDueDateAndMonth
            .Where(p => p.Key.Due >= earliestDue && p.Key.Due <= latestDue && p.Key.SettledMonth <= month)
            .Aggregate(default(Tally), (a, p) => a + p.Value);
        return issued - settled;
    }

    private static DateOnly MonthStart(DateOnly date) => new(date.Year, date.Month, 1);

    private static ImmutableDictionary<TKey, Tally> Add<TKey>(ImmutableDictionary<TKey, Tally> map, TKey key, Tally amount)
        where TKey : notnull =>
        map.SetItem(key, map.GetValueOrDefault(key) + amount);
}
