namespace ArActors.Grains.Reporting;

public sealed record PaymentBehaviourRow(string Group, int SettledInvoices, decimal? AverageDaysLate, int PaidOnTime, decimal? PaidOnTimePercent);

public sealed record PromiseRow(string Group, int Made, int Kept, int Broken, decimal? PromiseKeptRate);

public sealed record DisputeRow(string Group, string Reason, int Opened, decimal OpenedAmount, int Resolved, decimal? AverageCycleDays);

public sealed record CashTargetRow(string Group, decimal Collected, decimal? Target, decimal? Variance, decimal? PercentOfTarget);

public sealed record UnallocatedRow(string Group, IReadOnlyList<BucketBalance> Buckets, decimal Total);

public sealed record CollectorPerformanceRow(string Group, int AccountsWorked, int Contacts, int RightPartyContacts, int Promises, decimal CashCollected);

/// <summary>A cash collection target of one portfolio for one period, in the reporting currency.</summary>
public sealed record CashTarget(string Portfolio, DateOnly From, DateOnly To, decimal Amount)
{
    /// <summary>The part of the target that falls in <paramref name="period"/>, pro rata by calendar day.</summary>
    public decimal Within(ReportingPeriod period)
    {
        var from = From > period.Start ? From : period.Start;
        var to = To < period.End ? To : period.End;
        var days = To.DayNumber - From.DayNumber + 1;
        return to < from || days <= 0 ? 0m : Amount * (to.DayNumber - from.DayNumber + 1) / days;
    }
}

/// <summary>
/// Payment behaviour, promises, disputes, cash against target and collector performance over a period, per value of a
/// dimension, from <see cref="ReceivableTotals"/>; amounts restated at the period end's rate. Cost depends on calendar
/// days and groups, never on the number of invoices.
/// </summary>
public static class CollectionsFigures
{
    /// <summary>Invoices settled by payment within the period: mean days late (on-time ones count 0) and the share not late.</summary>
    public static IReadOnlyList<PaymentBehaviourRow> PaymentBehaviour(ReportingState state, string dimension, ReportingPeriod period) =>
        Rows(state, dimension, (group, totals) =>
        {
            var tally = totals.Aggregate(default(LatenessTally), (a, t) => a + t.Lateness(period));
            return new PaymentBehaviourRow(
                group, tally.Invoices,
                tally.Invoices == 0 ? null : Rounding.Days((decimal)tally.DaysLate / tally.Invoices),
                tally.OnTime,
                tally.Invoices == 0 ? null : Rounding.Percent(tally.OnTime * 100m / tally.Invoices));
        });

    /// <summary>Kept / (kept + broken) x 100 of promises resolved within the period; made counts promises taken in it.</summary>
    public static IReadOnlyList<PromiseRow> Promises(ReportingState state, string dimension, ReportingPeriod period) =>
        Rows(state, dimension, (group, totals) =>
        {
            var tally = totals.Aggregate(default(PromiseTally), (a, t) => a + t.Promises(period));
            return new PromiseRow(group, tally.Made, tally.Kept, tally.Broken, KeptRate(tally));
        }, r => r.Made + r.Kept + r.Broken > 0);

    public static decimal? KeptRate(PromiseTally tally) =>
        tally.Kept + tally.Broken == 0 ? null : Rounding.Percent(tally.Kept * 100m / (tally.Kept + tally.Broken));

    /// <summary>Per reason: disputes opened within the period (count, open amount when disputed), resolved within it, mean days open of those resolved.</summary>
    public static IReadOnlyList<DisputeRow> Disputes(ReportingState state, string dimension, ReportingPeriod period, ExchangeRates rates) =>
        state.TotalsBy(dimension)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.Value
                .SelectMany(t => t.DisputesByReason.SelectMany(r => r.Value.Where(d => period.Contains(d.Key))
                    .Select(d => (Reason: r.Key, Tally: d.Value with { OpenedAmount = rates.Convert(d.Value.OpenedAmount, t.Currency, period.End) }))))
                .GroupBy(r => r.Reason, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g =>
                {
                    var tally = g.Aggregate(default(DisputeTally), (a, r) => a + r.Tally);
                    return new DisputeRow(p.Key, g.Key, tally.Opened, Rounding.Money(tally.OpenedAmount), tally.Resolved,
                        tally.Resolved == 0 ? null : Rounding.Days((decimal)tally.CycleDays / tally.Resolved));
                }))
            .ToList();

    /// <summary>
    /// Cash applied by payment within the period against the targets of the group's portfolios (pro rata when a target's
    /// period only overlaps). Targets are per portfolio, so other dimensions, and groups no target covers, answer with none.
    /// </summary>
    public static IReadOnlyList<CashTargetRow> CashAgainstTarget(
        ReportingState state, string dimension, ReportingPeriod period, ExchangeRates rates, IReadOnlyList<CashTarget> targets) =>
        Rows(state, dimension, (group, totals) =>
        {
            var collected = totals.Sum(t => rates.Convert(t.Collected(period), t.Currency, period.End));
            var applicable = dimension switch
            {
                ReportDimension.Portfolio or ReportDimension.Team => targets.Where(t => t.Portfolio == group && t.From <= period.End && t.To >= period.Start).ToList(),
                ReportDimension.All => targets.Where(t => t.From <= period.End && t.To >= period.Start).ToList(),
                _ => [],
            };
            decimal? target = applicable.Count == 0 ? null : applicable.Sum(t => t.Within(period));
            var vs = target is { } amount ? CollectionsActivity.CashAgainstTarget(collected, amount) : null;
            return new CashTargetRow(group, Rounding.Money(collected), vs?.Target, vs?.Variance, vs?.PercentOfTarget);
        });

    /// <summary>
    /// Per group (by collector: the account's assigned collector): distinct accounts with an activity in the period,
    /// contacts (calls, e-mails, letters), right-party calls, promises taken and cash applied by payment.
    /// </summary>
    public static IReadOnlyList<CollectorPerformanceRow> CollectorPerformance(ReportingState state, string dimension, ReportingPeriod period, ExchangeRates rates) =>
        Rows(state, dimension, (group, totals) =>
        {
            var days = totals.SelectMany(t => t.ActivitiesByDate.Where(p => period.Contains(p.Key)).Select(p => p.Value)).ToList();
            return new CollectorPerformanceRow(
                group,
                days.SelectMany(d => d.Accounts).Distinct(StringComparer.Ordinal).Count(),
                days.Sum(d => d.Contacts),
                days.Sum(d => d.RightPartyContacts),
                totals.Sum(t => t.Promises(period).Made),
                Rounding.Money(totals.Sum(t => rates.Convert(t.Collected(period), t.Currency, period.End))));
        });

    /// <summary>
    /// Unallocated cash as of <paramref name="asOf"/> by days since receipt (default buckets 0-7, 8-30, 31-60, 61+), restated
    /// at that day's rate; counts are receipt days with a rest. Unidentified cash is in the groups of account "unknown".
    /// </summary>
    public static IReadOnlyList<UnallocatedRow> UnallocatedByAge(ReportingState state, string dimension, DateOnly asOf, ExchangeRates rates, IReadOnlyList<AgingBucket>? buckets = null)
    {
        buckets ??= CollectionsActivity.DefaultUnallocatedBuckets;
        return Rows(state, dimension, (group, totals) =>
        {
            var rests = totals.SelectMany(t => t.UnallocatedAsOf(asOf).Select(r => (r.Received, Amount: rates.Convert(r.Amount, t.Currency, asOf)))).ToList();
            var balances = buckets.Select(b =>
            {
                var inBucket = rests.Where(r => b.Contains(asOf.DayNumber - r.Received.DayNumber)).ToList();
                return new BucketBalance(b.Label, Rounding.Money(inBucket.Sum(r => r.Amount)), inBucket.Count);
            }).ToList();
            return new UnallocatedRow(group, balances, balances.Sum(b => b.Amount));
        }, r => r.Total != 0m);
    }

    private static IReadOnlyList<TRow> Rows<TRow>(
        ReportingState state, string dimension, Func<string, IReadOnlyList<ReceivableTotals>, TRow> row, Func<TRow, bool>? keep = null) =>
        state.TotalsBy(dimension)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => row(p.Key, p.Value))
            .Where(r => keep is null || keep(r))
            .ToList();
}
