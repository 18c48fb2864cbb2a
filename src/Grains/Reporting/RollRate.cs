namespace ArActors.Grains.Reporting;

/// <summary>
/// Fraction of each bucket's balance found in the next bucket one month later (<see cref="Rates"/>[i]: bucket i -> i+1),
/// plus the fraction of the last bucket still there a month later (<see cref="LastBucketRetention"/>).
/// </summary>
public sealed record RollRateModel(IReadOnlyList<string> Labels, IReadOnlyList<decimal> Rates, decimal LastBucketRetention, decimal NewCurrentPerMonth);

public sealed record RollRateForecastMonth(int MonthsAhead, IReadOnlyList<BucketBalance> Buckets, decimal PastDue, decimal ExpectedWriteOff);

public sealed record RollRateBacktest(int FitMonths, int TestMonths, decimal MeanAbsoluteError, decimal? MeanAbsolutePercentError);

public static class RollRate
{
    /// <summary>
    /// Pooled roll rates from consecutive month-end snapshots: sum of bucket i+1 at month t+1 / sum of bucket i at month t.
    /// A bucket never holding balance gets rate 0. New current balance per month = mean current bucket over the history.
    /// </summary>
    public static RollRateModel Fit(IReadOnlyList<AgingBreakdown> monthEnds)
    {
        if (monthEnds.Count < 2)
        {
            throw new ArgumentException("Fitting roll rates needs at least two month-end snapshots.", nameof(monthEnds));
        }

        var labels = monthEnds[0].Buckets.Select(b => b.Label).ToList();
        var n = labels.Count;
        var rates = new decimal[n - 1];
        for (var i = 0; i < n - 1; i++)
        {
            var from = 0m;
            var to = 0m;
            for (var t = 0; t + 1 < monthEnds.Count; t++)
            {
                from += monthEnds[t].Buckets[i].Amount;
                to += monthEnds[t + 1].Buckets[i + 1].Amount;
            }

            rates[i] = from == 0m ? 0m : to / from;
        }

        var lastFrom = 0m;
        var lastTo = 0m;
        for (var t = 0; t + 1 < monthEnds.Count; t++)
        {
            lastFrom += monthEnds[t].Buckets[n - 1].Amount;
            lastTo += monthEnds[t + 1].Buckets[n - 1].Amount - monthEnds[t].Buckets[n - 2].Amount * rates[n - 2];
        }

        var retention = lastFrom == 0m ? 0m : Math.Clamp(lastTo / lastFrom, 0m, 1m);
        return new RollRateModel(labels, rates, retention, monthEnds.Average(m => m.Current));
    }

    /// <summary>
    /// Rolls <paramref name="start"/> forward month by month. Expected write-off of a month = balance rolling into the
    /// last bucket (default 120+), which is where write-off candidates land; past due = all buckets but current.
    /// </summary>
    public static IReadOnlyList<RollRateForecastMonth> Forecast(RollRateModel model, AgingBreakdown start, int months)
    {
        var balances = start.Buckets.Select(b => b.Amount).ToArray();
        var n = balances.Length;
        var result = new List<RollRateForecastMonth>();
        for (var k = 1; k <= months; k++)
        {
            var next = new decimal[n];
            next[0] = model.NewCurrentPerMonth;
            for (var i = 1; i < n; i++)
            {
                next[i] = balances[i - 1] * model.Rates[i - 1];
            }

            var writeOff = next[n - 1];
            next[n - 1] += balances[n - 1] * model.LastBucketRetention;
            balances = next;
            result.Add(new RollRateForecastMonth(
                k,
                model.Labels.Select((l, i) => new BucketBalance(l, Rounding.Money(balances[i]), 0)).ToList(),
                Rounding.Money(balances.Skip(1).Sum()),
                Rounding.Money(writeOff)));
        }

        return result;
    }

    /// <summary>
    /// Fits on the first <paramref name="fitMonths"/> snapshots, then forecasts each later month's past-due balance one month
    /// ahead from the actual previous snapshot; returns MAE and MAPE (MAPE over months with non-zero actual past due).
    /// </summary>
    public static RollRateBacktest Backtest(IReadOnlyList<AgingBreakdown> monthEnds, int fitMonths)
    {
        if (fitMonths < 2 || fitMonths >= monthEnds.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(fitMonths), "Need at least two fit months and one test month.");
        }

        var model = Fit(monthEnds.Take(fitMonths).ToList());
        var absErrors = new List<decimal>();
        var pctErrors = new List<decimal>();
        for (var t = fitMonths; t < monthEnds.Count; t++)
        {
            var predicted = Forecast(model, monthEnds[t - 1], 1)[0].PastDue;
            var actual = monthEnds[t].PastDue;
            absErrors.Add(Math.Abs(predicted - actual));
            if (actual != 0m)
            {
                pctErrors.Add(Math.Abs(predicted - actual) / actual * 100m);
            }
        }

        return new RollRateBacktest(
            fitMonths,
            absErrors.Count,
            Rounding.Money(absErrors.Average()),
            pctErrors.Count == 0 ? null : Rounding.Percent(pctErrors.Average()));
    }
}
