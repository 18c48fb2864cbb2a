using System.Text.Json.Serialization;

namespace ArActors.Grains.Reporting;

/// <summary>Days late of invoices settled by payment: how many, the sum of their days late, and how many were not late.</summary>
public readonly record struct LatenessTally(int Invoices, long DaysLate, int OnTime = 0)
{
    public static LatenessTally operator +(LatenessTally left, LatenessTally right) =>
        new(left.Invoices + right.Invoices, left.DaysLate + right.DaysLate, left.OnTime + right.OnTime);

    public LatenessTally Add(LatenessTally other) => this + other;
}

/// <summary>
/// AR totals of one group in one currency, folded from issues and reductions (payments, credits, write-offs,
/// cancellations; a reversed allocation is a negative reduction), keyed by calendar day so figures answer as of any
/// date. Sized by the calendar (issue days, due days x reduction days), never by the number of invoices:
/// open AR at D = issued on or before D - reduced on or before D; the past-due bucket [a, b] at D is the due-date
/// range [D - b, D - a], whose balance = issued with those due dates - reduced with those due dates on or before D
/// (issue &lt;= due, so an invoice due by D was issued by D). Current = open - past due. Counts move when an invoice's
/// open amount reaches zero or leaves it, so a partly paid invoice still counts as one open invoice.
/// </summary>
public sealed record ReceivableTotals(
    string Currency,
    ImmutableDictionary<DateOnly, Tally> IssuedByDate,
    ImmutableDictionary<DateOnly, Tally> IssuedByDueDate,
    ImmutableDictionary<DateOnly, Tally> ReducedByDate,
    ImmutableDictionary<DateOnly, ImmutableDictionary<DateOnly, Tally>> ReducedByDueDate,
    ImmutableDictionary<DateOnly, LatenessTally> LatenessBySettledDate)
{
    public static ReceivableTotals Empty(string currency) => new(
        currency,
        ImmutableDictionary<DateOnly, Tally>.Empty,
        ImmutableDictionary<DateOnly, Tally>.Empty,
        ImmutableDictionary<DateOnly, Tally>.Empty,
        ImmutableDictionary<DateOnly, ImmutableDictionary<DateOnly, Tally>>.Empty,
        ImmutableDictionary<DateOnly, LatenessTally>.Empty);

    public ReceivableTotals Issue(DateOnly issueDate, DateOnly dueDate, decimal amount)
    {
        if (issueDate > dueDate)
        {
            throw new ArgumentException($"An invoice due {dueDate:yyyy-MM-dd} cannot be issued on {issueDate:yyyy-MM-dd}.", nameof(issueDate));
        }

        var one = new Tally(amount, 1);
        return this with { IssuedByDate = Add(IssuedByDate, issueDate, one), IssuedByDueDate = Add(IssuedByDueDate, dueDate, one) };
    }

    /// <summary>Lowers the open amount of an invoice due <paramref name="dueDate"/> on <paramref name="date"/>; <paramref name="closed"/> is +1 when it reached zero, -1 when it reopened.</summary>
    public ReceivableTotals Reduce(DateOnly dueDate, DateOnly date, decimal amount, int closed)
    {
        var tally = new Tally(amount, closed);
        var byDate = ReducedByDueDate.GetValueOrDefault(dueDate) ?? ImmutableDictionary<DateOnly, Tally>.Empty;
        return this with
        {
            ReducedByDate = Add(ReducedByDate, date, tally),
            ReducedByDueDate = ReducedByDueDate.SetItem(dueDate, Add(byDate, date, tally)),
        };
    }

    /// <summary>Records an invoice settled by payment on <paramref name="settled"/> for the days-late figures.</summary>
    public ReceivableTotals Settle(DateOnly dueDate, DateOnly settled) =>
        this with
        {
            LatenessBySettledDate = LatenessBySettledDate.SetItem(
                settled,
                LatenessBySettledDate.GetValueOrDefault(settled) + new LatenessTally(1, Math.Max(0, settled.DayNumber - dueDate.DayNumber), settled <= dueDate ? 1 : 0)),
        };

    /// <summary>Takes back <see cref="Settle"/> when a reversed allocation reopens the invoice.</summary>
    public ReceivableTotals Unsettle(DateOnly dueDate, DateOnly settled) =>
        this with
        {
            LatenessBySettledDate = LatenessBySettledDate.SetItem(
                settled,
                LatenessBySettledDate.GetValueOrDefault(settled) + new LatenessTally(-1, -Math.Max(0, settled.DayNumber - dueDate.DayNumber), settled <= dueDate ? -1 : 0)),
        };

    /// <summary>Cash applied to invoices by payment, net of reversed allocations, per value date.</summary>
    public ImmutableDictionary<DateOnly, decimal> CollectedByDate { get; init; } = ImmutableDictionary<DateOnly, decimal>.Empty;

    /// <summary>Promises made (by the day made) and kept or broken (by the day resolved).</summary>
    public ImmutableDictionary<DateOnly, PromiseTally> PromisesByDate { get; init; } = ImmutableDictionary<DateOnly, PromiseTally>.Empty;

    /// <summary>Contacts logged per day (calls, e-mails, letters), right-party calls, and the accounts worked that day.</summary>
    public ImmutableDictionary<DateOnly, ActivityTally> ActivitiesByDate { get; init; } = ImmutableDictionary<DateOnly, ActivityTally>.Empty;

    /// <summary>Disputes per reason: opened (count, open amount at the time) by the day opened, resolved (count, days open) by the day resolved.</summary>
    public ImmutableDictionary<string, ImmutableDictionary<DateOnly, DisputeTally>> DisputesByReason { get; init; } =
        ImmutableDictionary<string, ImmutableDictionary<DateOnly, DisputeTally>>.Empty;

    /// <summary>Unallocated cash: by the day it was received, then by the day its unallocated rest changed, the change.</summary>
    public ImmutableDictionary<DateOnly, ImmutableDictionary<DateOnly, decimal>> UnallocatedByReceipt { get; init; } =
        ImmutableDictionary<DateOnly, ImmutableDictionary<DateOnly, decimal>>.Empty;

    public ReceivableTotals Unallocated(DateOnly received, DateOnly on, decimal delta)
    {
        var byDay = UnallocatedByReceipt.GetValueOrDefault(received) ?? ImmutableDictionary<DateOnly, decimal>.Empty;
        return this with { UnallocatedByReceipt = UnallocatedByReceipt.SetItem(received, byDay.SetItem(on, byDay.GetValueOrDefault(on) + delta)) };
    }

    /// <summary>Unallocated amounts as of <paramref name="asOf"/> by the day they were received (zero rests left out).</summary>
    public IEnumerable<(DateOnly Received, decimal Amount)> UnallocatedAsOf(DateOnly asOf) =>
        UnallocatedByReceipt.Where(p => p.Key <= asOf)
            .Select(p => (p.Key, p.Value.Where(c => c.Key <= asOf).Sum(c => c.Value)))
            .Where(p => p.Item2 != 0m);

    public ReceivableTotals Collect(DateOnly date, decimal amount) =>
        this with { CollectedByDate = CollectedByDate.SetItem(date, CollectedByDate.GetValueOrDefault(date) + amount) };

    public ReceivableTotals Promise(DateOnly date, PromiseTally tally) =>
        this with { PromisesByDate = PromisesByDate.SetItem(date, PromisesByDate.GetValueOrDefault(date) + tally) };

    public ReceivableTotals Activity(DateOnly date, string accountId, bool contact, bool rightParty)
    {
        var day = ActivitiesByDate.GetValueOrDefault(date) ?? ActivityTally.None;
        return this with
        {
            ActivitiesByDate = ActivitiesByDate.SetItem(date, new ActivityTally(
                day.Contacts + (contact ? 1 : 0), day.RightPartyContacts + (rightParty ? 1 : 0), day.Accounts.Add(accountId))),
        };
    }

    public ReceivableTotals Dispute(string reason, DateOnly date, DisputeTally tally)
    {
        var byDate = DisputesByReason.GetValueOrDefault(reason) ?? ImmutableDictionary<DateOnly, DisputeTally>.Empty;
        return this with { DisputesByReason = DisputesByReason.SetItem(reason, byDate.SetItem(date, byDate.GetValueOrDefault(date) + tally)) };
    }

    public decimal Collected(ReportingPeriod period) => CollectedByDate.Where(p => period.Contains(p.Key)).Sum(p => p.Value);

    public PromiseTally Promises(ReportingPeriod period) =>
        PromisesByDate.Where(p => period.Contains(p.Key)).Aggregate(default(PromiseTally), (a, p) => a + p.Value);

    public LatenessTally Lateness(ReportingPeriod period) =>
        LatenessBySettledDate.Where(p => period.Contains(p.Key)).Aggregate(default(LatenessTally), (a, p) => a + p.Value);

    [JsonIgnore]
    public bool IsEmpty => IssuedByDate.IsEmpty;

    /// <summary>The first day anything was issued and the last day anything happened; null while empty.</summary>
    [JsonIgnore]
    public (DateOnly First, DateOnly Last)? Span =>
        IsEmpty ? null : (IssuedByDate.Keys.Min(), ReducedByDate.IsEmpty ? IssuedByDate.Keys.Max() : Max(IssuedByDate.Keys.Max(), ReducedByDate.Keys.Max()));

    public decimal CreditSales(ReportingPeriod period) => IssuedByDate.Where(p => period.Contains(p.Key)).Sum(p => p.Value.Amount);

    public Tally OpenAr(DateOnly asOf) =>
        Sum(IssuedByDate.Where(p => p.Key <= asOf).Select(p => p.Value)) - Sum(ReducedByDate.Where(p => p.Key <= asOf).Select(p => p.Value));

    public AgingBreakdown Aging(DateOnly asOf, IReadOnlyList<AgingBucket>? buckets = null)
    {
        buckets ??= AgingFigures.DefaultBuckets;
        AgingFigures.Validate(buckets);
        var open = OpenAr(asOf);
        var pastDue = buckets.Skip(1).Select(b => PastDueIn(asOf, b)).ToList();
        var current = pastDue.Aggregate(open, (a, t) => a - t);
        return new AgingBreakdown(asOf, buckets.Select((b, i) =>
        {
            var t = i == 0 ? current : pastDue[i - 1];
            return new BucketBalance(b.Label, t.Amount, t.Count);
        }).ToList());
    }

    /// <summary>Credit sales of each calendar month from <paramref name="month"/> back to the first month with sales, newest first.</summary>
    public IReadOnlyList<MonthSales> MonthsBackFrom(ReportingPeriod month)
    {
        var months = new List<MonthSales>();
        if (IsEmpty)
        {
            return months;
        }

        var earliest = IssuedByDate.Keys.Min();
        for (var p = month; p.End >= earliest; p = p.PreviousMonth())
        {
            months.Add(new MonthSales(p, CreditSales(p)));
        }

        return months;
    }

    /// <summary>Days late over invoices settled by payment on or before <paramref name="asOf"/>.</summary>
    public LatenessTally LatenessUpTo(DateOnly asOf) =>
        LatenessBySettledDate.Where(p => p.Key <= asOf).Aggregate(default(LatenessTally), (a, p) => a + p.Value);

    private Tally PastDueIn(DateOnly asOf, AgingBucket bucket)
    {
        // days past due d <=> due = asOf - d, so the bucket [min, max] is the due-date range [asOf - max, asOf - min].
        var latestDue = asOf.AddDays(-bucket.MinDaysPastDue);
        var earliestDue = bucket.MaxDaysPastDue is { } max ? asOf.AddDays(-max) : DateOnly.MinValue;
        var issued = Sum(IssuedByDueDate.Where(p => p.Key >= earliestDue && p.Key <= latestDue).Select(p => p.Value));
        var reduced = Sum(ReducedByDueDate
            .Where(p => p.Key >= earliestDue && p.Key <= latestDue)
            .SelectMany(p => p.Value.Where(r => r.Key <= asOf).Select(r => r.Value)));
        return issued - reduced;
    }

    private static Tally Sum(IEnumerable<Tally> tallies) => tallies.Aggregate(default(Tally), (a, t) => a + t);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static ImmutableDictionary<DateOnly, Tally> Add(ImmutableDictionary<DateOnly, Tally> map, DateOnly key, Tally amount) =>
        map.SetItem(key, map.GetValueOrDefault(key) + amount);
}

/// <summary>Promises made, kept and broken.</summary>
public readonly record struct PromiseTally(int Made, int Kept, int Broken)
{
    public static PromiseTally operator +(PromiseTally left, PromiseTally right) => new(left.Made + right.Made, left.Kept + right.Kept, left.Broken + right.Broken);

    public PromiseTally Add(PromiseTally other) => this + other;
}

/// <summary>One day's contacts, right-party contacts and the distinct accounts worked.</summary>
public sealed record ActivityTally(int Contacts, int RightPartyContacts, ImmutableSortedSet<string> Accounts)
{
    public static ActivityTally None { get; } = new(0, 0, ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal));
}

/// <summary>Disputes opened (count and amount) and resolved (count and total days open).</summary>
public readonly record struct DisputeTally(int Opened, decimal OpenedAmount, int Resolved, long CycleDays)
{
    public static DisputeTally operator +(DisputeTally left, DisputeTally right) =>
        new(left.Opened + right.Opened, left.OpenedAmount + right.OpenedAmount, left.Resolved + right.Resolved, left.CycleDays + right.CycleDays);

    public DisputeTally Add(DisputeTally other) => this + other;
}
