namespace ArActors.Grains.Reporting;

public static class PaymentBehaviour
{
    /// <summary>Mean of max(0, settled - due) over ALL settled invoices (on-time ones count as 0); null if none settled.</summary>
    public static decimal? AverageDaysLate(IEnumerable<ReceivableItem> items)
    {
        var late = items.Where(i => i.DaysLate is not null).Select(i => (decimal)i.DaysLate!.Value).ToList();
        return late.Count == 0 ? null : Rounding.Days(late.Average());
    }

    /// <summary>Mean days late over late invoices only (a companion figure, labelled as such).</summary>
    public static decimal? AverageDaysLateOfLateInvoices(IEnumerable<ReceivableItem> items)
    {
        var late = items.Where(i => i.DaysLate > 0).Select(i => (decimal)i.DaysLate!.Value).ToList();
        return late.Count == 0 ? null : Rounding.Days(late.Average());
    }

    /// <summary>Share of settled invoices with DaysLate = 0, in percent (by count); null if none settled.</summary>
    public static decimal? PercentPaidOnTime(IEnumerable<ReceivableItem> items)
    {
        var settled = items.Where(i => i.DaysLate is not null).ToList();
        return settled.Count == 0 ? null : Rounding.Percent(settled.Count(i => i.DaysLate == 0) * 100m / settled.Count);
    }
}
