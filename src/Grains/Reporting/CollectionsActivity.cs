namespace ArActors.Grains.Reporting;

/// <summary>A promise to pay; <see cref="PaidByPromisedDate"/> is what arrived on or before the promised date.</summary>
public sealed record PromiseRecord(string PromiseId, string CustomerId, string CollectorId, DateOnly PromisedDate, decimal PromisedAmount, decimal PaidByPromisedDate);

public sealed record DisputeRecord(string DisputeId, string InvoiceId, string Reason, decimal Amount, string Currency, DateOnly OpenedDate, DateOnly? ResolvedDate);

public sealed record DisputeStats(string Reason, int Count, int OpenCount, decimal Amount, decimal? AverageCycleDays);

public sealed record CashVersusTarget(decimal Collected, decimal Target, decimal Variance, decimal? PercentOfTarget);

/// <summary>A receipt's amount not yet allocated to any invoice.</summary>
public sealed record UnallocatedCashItem(string ReceiptId, string CustomerId, DateOnly ReceivedDate, decimal UnallocatedAmount, string Currency);

/// <summary>One collector touch on an account.</summary>
public sealed record CollectorActivity(string CollectorId, string AccountId, DateOnly Date, bool RightPartyContact, bool PromiseTaken);

public sealed record CollectorCash(string CollectorId, DateOnly Date, decimal Amount);

public sealed record CollectorPerformance(string CollectorId, int AccountsWorked, int Contacts, int RightPartyContacts, int Promises, decimal CashCollected);

public static class CollectionsActivity
{
    /// <summary>
    /// Kept / matured promises x 100. A promise matures when its date is on or before <paramref name="asOf"/>;
    /// it is kept when the full promised amount arrived by the promised date. Null when none matured.
    /// </summary>
    public static decimal? PromiseKeptRate(IEnumerable<PromiseRecord> promises, DateOnly asOf)
    {
        var matured = promises.Where(p => p.PromisedDate <= asOf).ToList();
        return matured.Count == 0
            ? null
            : Rounding.Percent(matured.Count(p => p.PaidByPromisedDate >= p.PromisedAmount) * 100m / matured.Count);
    }

    /// <summary>Count, amount and mean cycle time (resolved - opened, resolved disputes only) per reason, ordered by reason.</summary>
    public static IReadOnlyList<DisputeStats> DisputesByReason(IEnumerable<DisputeRecord> disputes)
    {
        var list = disputes.ToList();
        if (list.Select(d => d.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new InvalidOperationException("Disputes span several currencies; convert them to the reporting currency first.");
        }

        return list
            .GroupBy(d => d.Reason, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var cycles = g.Where(d => d.ResolvedDate is not null)
                    .Select(d => (decimal)(d.ResolvedDate!.Value.DayNumber - d.OpenedDate.DayNumber))
                    .ToList();
                return new DisputeStats(
                    g.Key,
                    g.Count(),
                    g.Count(d => d.ResolvedDate is null),
                    Rounding.Money(g.Sum(d => d.Amount)),
                    cycles.Count == 0 ? null : Rounding.Days(cycles.Average()));
            })
            .ToList();
    }

    /// <summary>Collected vs target; percent is null for a zero target.</summary>
    public static CashVersusTarget CashAgainstTarget(decimal collected, decimal target) =>
        new(Rounding.Money(collected), Rounding.Money(target), Rounding.Money(collected - target),
            target == 0m ? null : Rounding.Percent(collected / target * 100m));

    /// <summary>Default ages of unallocated cash in days since receipt.</summary>
    public static IReadOnlyList<AgingBucket> DefaultUnallocatedBuckets { get; } =
    [
        new("0-7", 0, 7),
        new("8-30", 8, 30),
        new("31-60", 31, 60),
        new("61+", 61, null),
    ];

    /// <summary>Unallocated amounts by days since receipt (received after <paramref name="asOf"/> is ignored).</summary>
    public static IReadOnlyList<BucketBalance> UnallocatedByAge(IEnumerable<UnallocatedCashItem> receipts, DateOnly asOf, IReadOnlyList<AgingBucket>? buckets = null)
    {
        buckets ??= DefaultUnallocatedBuckets;
        AgingFigures.Validate(buckets);
        var list = receipts.Where(r => r.ReceivedDate <= asOf && r.UnallocatedAmount != 0m).ToList();
        if (list.Select(r => r.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new InvalidOperationException("Unallocated cash spans several currencies; convert it to the reporting currency first.");
        }

        return buckets
            .Select(b =>
            {
                var inBucket = list.Where(r => b.Contains(asOf.DayNumber - r.ReceivedDate.DayNumber)).ToList();
                return new BucketBalance(b.Label, Rounding.Money(inBucket.Sum(r => r.UnallocatedAmount)), inBucket.Count);
            })
            .ToList();
    }

    /// <summary>Per collector within the period: distinct accounts worked, contacts, right-party contacts, promises, cash.</summary>
    public static IReadOnlyList<CollectorPerformance> CollectorPerformance(
        IEnumerable<CollectorActivity> activities, IEnumerable<CollectorCash> cash, ReportingPeriod period)
    {
        var acts = activities.Where(a => period.Contains(a.Date)).ToList();
        var money = cash.Where(c => period.Contains(c.Date)).ToList();
        return acts.Select(a => a.CollectorId).Concat(money.Select(c => c.CollectorId))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(id => id, StringComparer.Ordinal)
            .Select(id =>
            {
                var mine = acts.Where(a => a.CollectorId == id).ToList();
                return new CollectorPerformance(
                    id,
                    mine.Select(a => a.AccountId).Distinct(StringComparer.Ordinal).Count(),
                    mine.Count,
                    mine.Count(a => a.RightPartyContact),
                    mine.Count(a => a.PromiseTaken),
                    Rounding.Money(money.Where(c => c.CollectorId == id).Sum(c => c.Amount)));
            })
            .ToList();
    }
}
