namespace ArActors.Grains.Reporting;

/// <summary>
/// One invoice as the reporting layer sees it: issued in full on <see cref="IssueDate"/>, settled in full on
/// <see cref="SettledDate"/> (null while open). Dimensions are optional and only used for grouping.
/// </summary>
public sealed record ReceivableItem(
    string InvoiceId,
    string CustomerId,
    DateOnly IssueDate,
    DateOnly DueDate,
    decimal Amount,
    string Currency,
    DateOnly? SettledDate,
    string? Country = null,
    string? Segment = null,
    string? Portfolio = null,
    string? CollectorId = null,
    string? Team = null)
{
    /// <summary>Open on <paramref name="asOf"/>: issued on or before it and not settled on or before it.</summary>
    public bool IsOpenOn(DateOnly asOf) => IssueDate <= asOf && (SettledDate is not { } settled || settled > asOf);

    /// <summary>Days past due on <paramref name="asOf"/>; 0 on the due date itself and before it.</summary>
    public int DaysPastDue(DateOnly asOf) => Math.Max(0, asOf.DayNumber - DueDate.DayNumber);

    /// <summary>max(0, settled - due) for settled invoices, null while open.</summary>
    public int? DaysLate => SettledDate is { } settled ? Math.Max(0, settled.DayNumber - DueDate.DayNumber) : null;
}

/// <summary>An inclusive range of calendar days.</summary>
public sealed record ReportingPeriod(DateOnly Start, DateOnly End)
{
    public int Days => End.DayNumber - Start.DayNumber + 1;

    public bool Contains(DateOnly date) => date >= Start && date <= End;

    public static ReportingPeriod Month(int year, int month) =>
        new(new DateOnly(year, month, 1), new DateOnly(year, month, DateTime.DaysInMonth(year, month)));

    public static ReportingPeriod MonthOf(DateOnly date) => Month(date.Year, date.Month);

    public ReportingPeriod PreviousMonth() => MonthOf(Start.AddDays(-1));
}

/// <summary>House rounding for published figures; computations stay unrounded until the end.</summary>
public static class Rounding
{
    public static decimal Money(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static decimal Days(decimal days) => Math.Round(days, 2, MidpointRounding.AwayFromZero);

    public static decimal Percent(decimal percent) => Math.Round(percent, 2, MidpointRounding.AwayFromZero);
}

/// <summary>Full-scan figures over invoices; the reference the incremental aggregates are checked against.</summary>
public static class Receivables
{
    public static decimal OpenAr(IEnumerable<ReceivableItem> items, DateOnly asOf) =>
        SingleCurrency(items).Where(i => i.IsOpenOn(asOf)).Sum(i => i.Amount);

    /// <summary>Credit sales: the full amount of invoices issued within the period.</summary>
    public static decimal CreditSales(IEnumerable<ReceivableItem> items, ReportingPeriod period) =>
        SingleCurrency(items).Where(i => period.Contains(i.IssueDate)).Sum(i => i.Amount);

    /// <summary>Open and not yet past due (days past due = 0).</summary>
    public static decimal CurrentAr(IEnumerable<ReceivableItem> items, DateOnly asOf) =>
        SingleCurrency(items).Where(i => i.IsOpenOn(asOf) && i.DaysPastDue(asOf) == 0).Sum(i => i.Amount);

    /// <summary>Summing mixed currencies is the silent error we refuse; convert with <see cref="ExchangeRates"/> first.</summary>
    internal static IReadOnlyList<ReceivableItem> SingleCurrency(IEnumerable<ReceivableItem> items)
    {
        var list = items as IReadOnlyList<ReceivableItem> ?? items.ToList();
        var currencies = list.Select(i => i.Currency).Distinct(StringComparer.Ordinal).ToList();
        if (currencies.Count > 1)
        {
            throw new InvalidOperationException(
                $"Cannot sum amounts in several currencies ({string.Join(", ", currencies)}); convert to a reporting currency first.");
        }

        return list;
    }
}
