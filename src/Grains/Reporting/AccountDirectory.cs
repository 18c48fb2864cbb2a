namespace ArActors.Grains.Reporting;

/// <summary>
/// One account as the account list shows it, kept by the reporting projection: profile fields, status, and its open
/// amounts per currency and due date (so past due and the oldest bucket answer as of any date without the invoices).
/// </summary>
public sealed record DirectoryEntry(
    string CustomerId,
    string Name,
    string Portfolio,
    string Collector,
    string Segment,
    string Country,
    string Currency,
    AccountStatus Status,
    ImmutableDictionary<string, ImmutableSortedDictionary<DateOnly, decimal>> OpenByCurrency)
{
    public static DirectoryEntry Of(AccountProfile profile, DirectoryEntry? previous)
    {
        var dimensions = AccountDimensions.Of(profile);
        return new DirectoryEntry(
            profile.CustomerId, profile.Name, dimensions.Portfolio, dimensions.Collector, dimensions.Segment, dimensions.Country, profile.Currency,
            previous?.Status ?? profile.Status, previous?.OpenByCurrency ?? ImmutableDictionary<string, ImmutableSortedDictionary<DateOnly, decimal>>.Empty);
    }

    /// <summary>Moves the open amount due on <paramref name="dueDate"/> in <paramref name="currency"/> by <paramref name="delta"/>.</summary>
    public DirectoryEntry Open(string currency, DateOnly dueDate, decimal delta)
    {
        var byDue = OpenByCurrency.GetValueOrDefault(currency) ?? ImmutableSortedDictionary<DateOnly, decimal>.Empty;
        var amount = byDue.GetValueOrDefault(dueDate) + delta;
        byDue = amount == 0m ? byDue.Remove(dueDate) : byDue.SetItem(dueDate, amount);
        return this with { OpenByCurrency = byDue.IsEmpty ? OpenByCurrency.Remove(currency) : OpenByCurrency.SetItem(currency, byDue) };
    }

    /// <summary>Open and past-due amounts in the reporting currency, and the bucket of the oldest past-due amount (null when none is past due).</summary>
    public (decimal Open, decimal PastDue, string? OldestBucket) Standing(DateOnly asOf, ExchangeRates rates, IReadOnlyList<AgingBucket> buckets)
    {
        decimal open = 0m, pastDue = 0m;
        DateOnly? oldest = null;
        foreach (var (currency, byDue) in OpenByCurrency)
        {
            foreach (var (due, amount) in byDue)
            {
                if (amount <= 0m)
                {
                    continue;
                }

                var restated = rates.Convert(amount, currency, asOf);
                open += restated;
                if (due < asOf)
                {
                    pastDue += restated;
                    oldest = oldest is { } o && o < due ? o : due;
                }
            }
        }

        var bucket = oldest is { } d ? buckets.FirstOrDefault(b => b.Contains(asOf.DayNumber - d.DayNumber))?.Label : null;
        return (open, pastDue, bucket);
    }
}
