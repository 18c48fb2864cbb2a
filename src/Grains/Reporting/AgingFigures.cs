namespace ArActors.Grains.Reporting;

/// <summary>A bucket of days past due, inclusive on both ends; <see cref="MaxDaysPastDue"/> null = open-ended.</summary>
public sealed record AgingBucket(string Label, int MinDaysPastDue, int? MaxDaysPastDue)
{
    public bool Contains(int daysPastDue) => daysPastDue >= MinDaysPastDue && (MaxDaysPastDue is not { } max || daysPastDue <= max);
}

public sealed record BucketBalance(string Label, decimal Amount, int Count);

public sealed record AgingBreakdown(DateOnly AsOf, IReadOnlyList<BucketBalance> Buckets)
{
    public decimal Total => Buckets.Sum(b => b.Amount);

    /// <summary>Everything outside the first (current) bucket.</summary>
    public decimal PastDue => Buckets.Skip(1).Sum(b => b.Amount);

    public decimal Current => Buckets[0].Amount;

    public decimal AmountOf(string label) => Buckets.Single(b => b.Label == label).Amount;
}

public static class AgingFigures
{
    /// <summary>Current, 1-30, 31-60, 61-90, 91-120, 120+ by days past due; day 0 (the due date) is current.</summary>
    public static IReadOnlyList<AgingBucket> DefaultBuckets { get; } =
    [
        new("Current", 0, 0),
        new("1-30", 1, 30),
        new("31-60", 31, 60),
        new("61-90", 61, 90),
        new("91-120", 91, 120),
        new("120+", 121, null),
    ];

    /// <summary>The engine's configured buckets (ArActors:Aging) as report buckets: each from the previous one's end + 1 to its MaxDays.</summary>
    public static IReadOnlyList<AgingBucket> BucketsOf(Aging.AgingPolicy policy) =>
        [.. policy.Buckets.Select((b, i) => new AgingBucket(b.Name, i == 0 ? 0 : policy.Buckets[i - 1].MaxDays!.Value + 1, b.MaxDays))];

    public static AgingBreakdown AsOf(IEnumerable<ReceivableItem> items, DateOnly asOf, IReadOnlyList<AgingBucket>? buckets = null)
    {
        buckets ??= DefaultBuckets;
        Validate(buckets);
        var open = Receivables.SingleCurrency(items).Where(i => i.IsOpenOn(asOf)).ToList();
        var balances = buckets
            .Select(b =>
            {
                var inBucket = open.Where(i => b.Contains(i.DaysPastDue(asOf))).ToList();
                return new BucketBalance(b.Label, inBucket.Sum(i => i.Amount), inBucket.Count);
            })
            .ToList();
        return new AgingBreakdown(asOf, balances);
    }

    /// <summary>Past-due share of open AR in percent; null when there is no open AR.</summary>
    public static decimal? PastDuePercent(AgingBreakdown report) =>
        report.Total == 0m ? null : Rounding.Percent(report.PastDue / report.Total * 100m);

    /// <summary>Buckets must start at day 0 and tile the day axis without gaps or overlaps.</summary>
    internal static void Validate(IReadOnlyList<AgingBucket> buckets)
    {
        if (buckets.Count == 0 || buckets[0].MinDaysPastDue != 0)
        {
            throw new ArgumentException("Aging buckets must start with a bucket at 0 days past due.", nameof(buckets));
        }

        for (var i = 1; i < buckets.Count; i++)
        {
            if (buckets[i - 1].MaxDaysPastDue is not { } max || buckets[i].MinDaysPastDue != max + 1)
            {
                throw new ArgumentException($"Aging bucket '{buckets[i].Label}' does not follow '{buckets[i - 1].Label}' without a gap.", nameof(buckets));
            }
        }

        if (buckets[^1].MaxDaysPastDue is not null)
        {
            throw new ArgumentException("The last aging bucket must be open-ended.", nameof(buckets));
        }
    }
}
