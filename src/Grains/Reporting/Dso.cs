namespace ArActors.Grains.Reporting;

/// <summary>Credit sales of one month, used by count-back DSO (newest month first).</summary>
public sealed record MonthSales(ReportingPeriod Month, decimal Sales);

/// <summary>Days sales outstanding and its companions. Null means "not defined", never a made-up number.</summary>
public static class Dso
{
    /// <summary>Ending AR / credit sales x days in period; null when there were no credit sales.</summary>
    public static decimal? Simple(decimal endingAr, decimal creditSales, int daysInPeriod) =>
        creditSales == 0m ? null : Rounding.Days(endingAr / creditSales * daysInPeriod);

    /// <summary>Best possible DSO: current (not yet due) AR / credit sales x days.</summary>
    public static decimal? BestPossible(decimal currentAr, decimal creditSales, int daysInPeriod) =>
        Simple(currentAr, creditSales, daysInPeriod);

    /// <summary>Average days delinquent = DSO - BPDSO, both from the same period.</summary>
    public static decimal? AverageDaysDelinquent(decimal? dso, decimal? bestPossible) =>
        dso is { } d && bestPossible is { } b ? Rounding.Days(d - b) : null;

    /// <summary>
    /// Count-back: subtract each month's sales (newest first) from ending AR, adding its days, until AR is exhausted;
    /// the last month contributes the fraction of its days. Null when history runs out before AR does.
    /// </summary>
    public static decimal? CountBack(decimal endingAr, IEnumerable<MonthSales> monthsNewestFirst)
    {
        var remaining = endingAr;
        var days = 0m;
        if (remaining <= 0m)
        {
            return 0m;
        }

        foreach (var month in monthsNewestFirst)
        {
            if (remaining > month.Sales)
            {
                remaining -= month.Sales;
                days += month.Month.Days;
                continue;
            }

            return Rounding.Days(days + remaining / month.Sales * month.Month.Days);
        }

        return null;
    }

    /// <summary>Full-scan simple DSO for a period from invoices (ending AR at period end).</summary>
    public static decimal? Simple(IEnumerable<ReceivableItem> items, ReportingPeriod period)
    {
        var list = Receivables.SingleCurrency(items);
        return Simple(Receivables.OpenAr(list, period.End), Receivables.CreditSales(list, period), period.Days);
    }

    public static decimal? BestPossible(IEnumerable<ReceivableItem> items, ReportingPeriod period)
    {
        var list = Receivables.SingleCurrency(items);
        return BestPossible(Receivables.CurrentAr(list, period.End), Receivables.CreditSales(list, period), period.Days);
    }

    /// <summary>Full-scan count-back DSO at the end of <paramref name="month"/>, walking back to the first issued invoice's month.</summary>
    public static decimal? CountBack(IEnumerable<ReceivableItem> items, ReportingPeriod month)
    {
        var list = Receivables.SingleCurrency(items);
        if (list.Count == 0)
        {
            return null;
        }

        var earliest = list.Min(i => i.IssueDate);
        var months = new List<MonthSales>();
        for (var m = month; m.End >= earliest; m = m.PreviousMonth())
        {
            months.Add(new MonthSales(m, Receivables.CreditSales(list, m)));
        }

        return CountBack(Receivables.OpenAr(list, month.End), months);
    }
}

/// <summary>Collection effectiveness index.</summary>
public static class Cei
{
    /// <summary>
    /// (beginning AR + credit sales - ending total AR) / (beginning AR + credit sales - ending current AR) x 100;
    /// null when the denominator is zero (nothing was collectible).
    /// </summary>
    public static decimal? Compute(decimal beginningAr, decimal creditSales, decimal endingTotalAr, decimal endingCurrentAr)
    {
        var collectible = beginningAr + creditSales - endingCurrentAr;
        return collectible == 0m ? null : Rounding.Percent((beginningAr + creditSales - endingTotalAr) / collectible * 100m);
    }

    /// <summary>Beginning AR = open at the day before the period starts; sales = issued within the period.</summary>
    public static decimal? Compute(IEnumerable<ReceivableItem> items, ReportingPeriod period)
    {
        var list = Receivables.SingleCurrency(items);
        return Compute(
            Receivables.OpenAr(list, period.Start.AddDays(-1)),
            Receivables.CreditSales(list, period),
            Receivables.OpenAr(list, period.End),
            Receivables.CurrentAr(list, period.End));
    }
}
