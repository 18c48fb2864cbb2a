namespace ArActors.Grains.Reporting;

public sealed record AgingRow(string Group, IReadOnlyList<BucketBalance> Buckets, decimal Total, decimal PastDue, decimal? PastDuePercent);

public sealed record DsoRow(
    string Group,
    decimal CreditSales,
    decimal EndingAr,
    decimal CurrentAr,
    decimal? Dso,
    decimal? CountBackDso,
    decimal? BestPossibleDso,
    decimal? AverageDaysDelinquent,
    int SettledInvoices,
    decimal? AverageDaysLate);

public sealed record CeiRow(string Group, decimal BeginningAr, decimal CreditSales, decimal EndingAr, decimal EndingCurrentAr, decimal? Cei);

public sealed record DelinquencyForecast(
    DateOnly From,
    IReadOnlyList<RollRateForecastMonth> Months,
    RollRateModel Model,
    RollRateBacktest? Backtest,
    string? BacktestNote);

public sealed record CashForecastReport(CashForecastResult Forecast, CashForecastBacktest? Backtest, IReadOnlyList<DateOnly> BacktestDates, string? BacktestNote);

/// <summary>
/// Report figures from the projection's <see cref="ReceivableTotals"/>, per value of a dimension, in the reporting
/// currency: every amount is restated at the rate effective on the report date (closing rate), then the house formulas
/// run on the restated totals. Cost depends on the number of calendar keys, not on the number of invoices.
/// </summary>
public static class ReportFigures
{
    public static IReadOnlyList<AgingRow> Aging(ReportingState state, string dimension, DateOnly asOf, ExchangeRates rates, IReadOnlyList<AgingBucket>? agingBuckets = null) =>
        Rows(state, dimension, totals =>
        {
            var restated = totals.Select(t => Restate(t.Aging(asOf, agingBuckets), t.Currency, asOf, rates)).ToList();
            var buckets = (agingBuckets ?? AgingFigures.DefaultBuckets)
                .Select((b, i) => new BucketBalance(b.Label, restated.Sum(r => r.Buckets[i].Amount), restated.Sum(r => r.Buckets[i].Count)))
                .ToList();
            var breakdown = new AgingBreakdown(asOf, buckets);
            return (AgingRow?)new AgingRow("", buckets, breakdown.Total, breakdown.PastDue, AgingFigures.PastDuePercent(breakdown));
        }, (row, group) => row with { Group = group });

    public static IReadOnlyList<DsoRow> Dso(ReportingState state, string dimension, ReportingPeriod month, ExchangeRates rates) =>
        Rows(state, dimension, totals =>
        {
            var end = month.End;
            var sales = totals.Sum(t => rates.Convert(t.CreditSales(month), t.Currency, end));
            var ending = totals.Sum(t => rates.Convert(t.OpenAr(end).Amount, t.Currency, end));
            var current = totals.Sum(t => rates.Convert(t.Aging(end).Current, t.Currency, end));
            var history = CombinedMonths(totals, month, rates, end);
            var simple = Reporting.Dso.Simple(ending, sales, month.Days);
            var best = Reporting.Dso.BestPossible(current, sales, month.Days);
            var lateness = totals.Aggregate(default(LatenessTally), (a, t) => a + t.LatenessUpTo(end));
            return (DsoRow?)new DsoRow(
                "", sales, ending, current, simple, Reporting.Dso.CountBack(ending, history), best,
                Reporting.Dso.AverageDaysDelinquent(simple, best), lateness.Invoices,
                lateness.Invoices == 0 ? null : Rounding.Days((decimal)lateness.DaysLate / lateness.Invoices));
        }, (row, group) => row with { Group = group });

    public static IReadOnlyList<CeiRow> Cei(ReportingState state, string dimension, ReportingPeriod month, ExchangeRates rates) =>
        Rows(state, dimension, totals =>
        {
            var end = month.End;
            var beginning = totals.Sum(t => rates.Convert(t.OpenAr(month.Start.AddDays(-1)).Amount, t.Currency, end));
            var sales = totals.Sum(t => rates.Convert(t.CreditSales(month), t.Currency, end));
            var ending = totals.Sum(t => rates.Convert(t.OpenAr(end).Amount, t.Currency, end));
            var current = totals.Sum(t => rates.Convert(t.Aging(end).Current, t.Currency, end));
            return (CeiRow?)new CeiRow("", beginning, sales, ending, current, Reporting.Cei.Compute(beginning, sales, ending, current));
        }, (row, group) => row with { Group = group });

    /// <summary>Month-end aging of the whole book, restated, from the first month with sales to the month of <paramref name="until"/>.</summary>
    public static IReadOnlyList<AgingBreakdown> MonthEnds(ReportingState state, DateOnly until, ExchangeRates rates)
    {
        var totals = state.TotalsBy(ReportDimension.All).GetValueOrDefault(ReportDimension.All) ?? [];
        if (totals.Count == 0)
        {
            return [];
        }

        var first = ReportingPeriod.MonthOf(totals.Min(t => t.Span!.Value.First));
        var snapshots = new List<AgingBreakdown>();
        for (var month = first; month.End <= until; month = ReportingPeriod.MonthOf(month.End.AddDays(1)))
        {
            var restated = totals.Select(t => Restate(t.Aging(month.End), t.Currency, month.End, rates)).ToList();
            snapshots.Add(new AgingBreakdown(month.End, AgingFigures.DefaultBuckets
                .Select((b, i) => new BucketBalance(b.Label, restated.Sum(r => r.Buckets[i].Amount), restated.Sum(r => r.Buckets[i].Count)))
                .ToList()));
        }

        return snapshots;
    }

    /// <summary>The last day anything happened in the book (issue or reduction); null while empty.</summary>
    public static DateOnly? LastActivity(ReportingState state) =>
        state.TotalsBy(ReportDimension.All).GetValueOrDefault(ReportDimension.All) is { Count: > 0 } totals ? totals.Max(t => t.Span!.Value.Last) : null;

    /// <summary>
    /// Roll-rate forecast of the next <paramref name="months"/> month-ends from the last complete month-end on or before
    /// <paramref name="asOf"/>, fitted on all month-ends; backtest fitted on the first <paramref name="fitMonths"/>.
    /// </summary>
    public static DelinquencyForecast? Delinquency(ReportingState state, DateOnly asOf, int months, int fitMonths, ExchangeRates rates)
    {
        var last = LastActivity(state) is { } activity && activity < asOf ? activity : asOf;
        var lastMonthEnd = ReportingPeriod.MonthOf(last).End == last ? last : ReportingPeriod.MonthOf(last).PreviousMonth().End;
        var snapshots = MonthEnds(state, lastMonthEnd, rates);
        if (snapshots.Count < 2)
        {
            return null;
        }

        var model = RollRate.Fit(snapshots);
        var forecast = RollRate.Forecast(model, snapshots[^1], months);
        return fitMonths >= 2 && fitMonths < snapshots.Count
            ? new DelinquencyForecast(snapshots[^1].AsOf, forecast, model, RollRate.Backtest(snapshots, fitMonths), null)
            : new DelinquencyForecast(snapshots[^1].AsOf, forecast, model, null,
                $"A backtest needs more month-ends than fitMonths ({fitMonths}, at least 2); the history has {snapshots.Count}.");
    }

    /// <summary>
    /// 13-week cash forecast of invoices open at <paramref name="asOf"/>, restated; backtested at every month-end from the
    /// sixth month of history whose 13 following weeks lie within the history. Runs over the invoice index, not the ledger.
    /// </summary>
    public static CashForecastReport CashForecast(ReportingState state, DateOnly asOf, ExchangeRates rates)
    {
        var items = rates.ToReportingCurrency(state.Invoices.Values.Select(i => i.ToItem()), asOf);
        var forecast = Reporting.CashForecast.Forecast(items, asOf);
        if (items.Count == 0 || LastActivity(state) is not { } last)
        {
            return new CashForecastReport(forecast, null, [], "No history to backtest on.");
        }

        var first = ReportingPeriod.MonthOf(items.Min(i => i.IssueDate));
        var dates = new List<DateOnly>();
        for (var month = ReportingPeriod.MonthOf(first.Start.AddMonths(5)); month.End.AddDays(7 * Reporting.CashForecast.Weeks) <= last; month = ReportingPeriod.MonthOf(month.End.AddDays(1)))
        {
            dates.Add(month.End);
        }

        return dates.Count == 0
            ? new CashForecastReport(forecast, null, dates, "The history is shorter than six months plus 13 weeks.")
            : new CashForecastReport(forecast, Reporting.CashForecast.Backtest(items, dates), dates, null);
    }

    private static IReadOnlyList<TRow> Rows<TRow>(
        ReportingState state, string dimension, Func<IReadOnlyList<ReceivableTotals>, TRow?> row, Func<TRow, string, TRow> named)
        where TRow : class =>
        state.TotalsBy(dimension)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => row(p.Value) is { } r ? named(r, p.Key) : null)
            .OfType<TRow>()
            .ToList();

    private static AgingBreakdown Restate(AgingBreakdown aging, string currency, DateOnly asOf, ExchangeRates rates) =>
        aging with { Buckets = aging.Buckets.Select(b => b with { Amount = rates.Convert(b.Amount, currency, asOf) }).ToList() };

    private static IReadOnlyList<MonthSales> CombinedMonths(IReadOnlyList<ReceivableTotals> totals, ReportingPeriod month, ExchangeRates rates, DateOnly asOf) =>
        totals.SelectMany(t => t.MonthsBackFrom(month).Select(m => (m.Month, Sales: rates.Convert(m.Sales, t.Currency, asOf))))
            .GroupBy(m => m.Month)
            .OrderByDescending(g => g.Key.Start)
            .Select(g => new MonthSales(g.Key, g.Sum(m => m.Sales)))
            .ToList();
}
