namespace ArActors.Grains.Accounts;

public sealed record BucketAmount(string Bucket, decimal Amount);

public sealed record LastPayment(string PaymentId, Money Amount, DateOnly ValueDate);

/// <summary>What the account grain shows: balances and aging of its open invoices as of a date, in account currency.</summary>
public sealed record AccountSummary(
    string CustomerId,
    DateOnly Date,
    Money OpenBalance,
    Money PastDueBalance,
    ImmutableArray<BucketAmount> Buckets,
    int OldestDaysPastDue,
    Money UnappliedCredit,
    LastPayment? LastPayment,
    int OpenInvoiceCount)
{
    /// <summary>
    /// Summarizes the account's current ledger state, aged as of <paramref name="asOf"/> (today or later). For a past
    /// date use AgingReport.AsOf over the history, which also undoes cash and credits booked after that date.
    /// </summary>
    public static AccountSummary Compute(LedgerState state, string customerId, DateOnly asOf, AgingPolicy policy)
    {
        var currency = state.Accounts.TryGetValue(customerId, out var account)
            ? account.Currency
            : throw new ArgumentException($"Account '{customerId}' does not exist.", nameof(customerId));
        var open = state.InvoicesOf(customerId).Where(i => i.IsOpen).ToList();
        var payments = state.PaymentsOf(customerId).Where(p => !p.Reversed).ToList();
        var last = payments
            .OrderByDescending(p => p.Payment.ValueDate)
            .ThenByDescending(p => p.Payment.PaymentId, StringComparer.Ordinal)
            .Select(p => new LastPayment(p.Payment.PaymentId, p.Payment.Amount, p.Payment.ValueDate))
            .FirstOrDefault();

        return new AccountSummary(
            customerId,
            asOf,
            new Money(open.Sum(i => i.OpenAmount.Amount), currency),
            new Money(open.Where(i => i.DaysPastDue(asOf) > 0).Sum(i => i.OpenAmount.Amount), currency),
            [.. policy.Buckets.Select(b => new BucketAmount(b.Name, open.Where(i => i.Bucket(asOf, policy) == b).Sum(i => i.OpenAmount.Amount)))],
            open.Count == 0 ? 0 : open.Max(i => i.DaysPastDue(asOf)),
            new Money(payments.Sum(p => p.Unapplied.Amount), currency),
            last,
            open.Count);
    }

    /// <summary>The same summary for any past date, rebuilt from the ledger history (see AgingReport.AsOf).</summary>
    public static AccountSummary AsOf(IEnumerable<LedgerEvent> history, string customerId, DateOnly asOf, AgingPolicy policy)
    {
        var events = history as IReadOnlyCollection<LedgerEvent> ?? history.ToList();
        var currency = events.OfType<AccountOpened>().FirstOrDefault(a => a.Profile.CustomerId == customerId)?.Profile.Currency
            ?? throw new ArgumentException($"Account '{customerId}' was never opened in this history.", nameof(customerId));
        var report = AgingReport.AsOf(events, asOf, policy);
        var open = report.Items.Where(i => i.CustomerId == customerId).ToList();
        var bounced = events.OfType<PaymentReversed>().Where(r => r.CustomerId == customerId && r.Effective <= asOf).Select(r => r.PaymentId).ToHashSet(StringComparer.Ordinal);
        var last = events.OfType<PaymentReceived>()
            .Where(p => p.CustomerId == customerId && p.Effective <= asOf && !bounced.Contains(p.Payment.PaymentId))
            .OrderByDescending(p => p.Payment.ValueDate)
            .ThenByDescending(p => p.Payment.PaymentId, StringComparer.Ordinal)
            .Select(p => new LastPayment(p.Payment.PaymentId, p.Payment.Amount, p.Payment.ValueDate))
            .FirstOrDefault();

        return new AccountSummary(
            customerId,
            asOf,
            new Money(open.Sum(i => i.OpenAmount.Amount), currency),
            new Money(open.Where(i => i.DaysPastDue > 0).Sum(i => i.OpenAmount.Amount), currency),
            report.BucketTotals(currency, customerId),
            open.Count == 0 ? 0 : open.Max(i => i.DaysPastDue),
            report.UnappliedCreditByCustomer.GetValueOrDefault(customerId) ?? Money.Zero(currency),
            last,
            open.Count);
    }
}
