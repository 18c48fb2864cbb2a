namespace ArActors.Grains.Reporting;

public sealed record CashForecastWeek(int Week, DateOnly Start, DateOnly End, decimal Expected);

public sealed record CashForecastResult(DateOnly AsOf, IReadOnlyList<CashForecastWeek> Weeks, decimal Beyond);

public sealed record CashForecastBacktest(int Forecasts, decimal WeeklyMeanAbsoluteError, decimal? WeightedAbsolutePercentError);

public static class CashForecast
{
    public const int Weeks = 13;

    /// <summary>
    /// Expected cash of invoices open at <paramref name="asOf"/>: each is expected on due date + its customer's mean days
    /// late (over invoices settled on or before asOf; portfolio mean when the customer has none), rounded to whole days;
    /// an expected date already passed lands in week 1. Week k = asOf+7(k-1)+1 .. asOf+7k.
    /// </summary>
    public static CashForecastResult Forecast(IEnumerable<ReceivableItem> items, DateOnly asOf)
    {
        var list = Receivables.SingleCurrency(items);
        var history = list.Where(i => i.SettledDate is { } s && s <= asOf).ToList();
        var portfolioMean = history.Count == 0 ? 0m : history.Average(i => (decimal)i.DaysLate!.Value);
        var byCustomer = history
            .GroupBy(i => i.CustomerId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Average(i => (decimal)i.DaysLate!.Value), StringComparer.Ordinal);

        var weekly = new decimal[Weeks];
        var beyond = 0m;
        foreach (var item in list.Where(i => i.IsOpenOn(asOf)))
        {
            var shift = byCustomer.TryGetValue(item.CustomerId, out var mean) ? mean : portfolioMean;
            var expected = item.DueDate.AddDays((int)Math.Round(shift, MidpointRounding.AwayFromZero));
            var week = WeekOf(asOf, expected);
            if (week <= Weeks)
            {
                weekly[week - 1] += item.Amount;
            }
            else
            {
                beyond += item.Amount;
            }
        }

        var weeks = Enumerable.Range(1, Weeks)
            .Select(k => new CashForecastWeek(k, asOf.AddDays(7 * (k - 1) + 1), asOf.AddDays(7 * k), Rounding.Money(weekly[k - 1])))
            .ToList();
        return new CashForecastResult(asOf, weeks, Rounding.Money(beyond));
    }

    /// <summary>Actual cash from invoices open at asOf, bucketed into the same weeks (the like-for-like actual).</summary>
    public static IReadOnlyList<decimal> Actual(IEnumerable<ReceivableItem> items, DateOnly asOf)
    {
        var weekly = new decimal[Weeks];
        foreach (var item in Receivables.SingleCurrency(items).Where(i => i.IsOpenOn(asOf) && i.SettledDate is not null))
        {
            var week = WeekOf(asOf, item.SettledDate!.Value);
            if (week <= Weeks)
            {
                weekly[week - 1] += item.Amount;
            }
        }

        return weekly.Select(Rounding.Money).ToList();
    }

    /// <summary>
    /// Forecast at each as-of date vs actual weekly cash from the same open invoices; weekly MAE and WAPE
    /// (sum |forecast - actual| / sum actual x 100) over all weeks of all forecasts.
    /// </summary>
    public static CashForecastBacktest Backtest(IEnumerable<ReceivableItem> items, IEnumerable<DateOnly> asOfDates)
    {
        var list = Receivables.SingleCurrency(items);
        var absError = 0m;
        var actualTotal = 0m;
        var weeks = 0;
        var forecasts = 0;
        foreach (var asOf in asOfDates)
        {
            var forecast = Forecast(list, asOf);
            var actual = Actual(list, asOf);
            for (var k = 0; k < Weeks; k++)
            {
                absError += Math.Abs(forecast.Weeks[k].Expected - actual[k]);
                actualTotal += actual[k];
                weeks++;
            }

            forecasts++;
        }

        return new CashForecastBacktest(
            forecasts,
            weeks == 0 ? 0m : Rounding.Money(absError / weeks),
            actualTotal == 0m ? null : Rounding.Percent(absError / actualTotal * 100m));
    }

    private static int WeekOf(DateOnly asOf, DateOnly date) => Math.Max(1, (date.DayNumber - asOf.DayNumber + 6) / 7);
}
