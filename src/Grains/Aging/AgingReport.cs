namespace ArActors.Grains.Aging;

public sealed record AgedItem(string CustomerId, string InvoiceNumber, Money OpenAmount, DateOnly IssueDate, DateOnly DueDate, int DaysPastDue, string Bucket);

public sealed record AgedCash(string CashId, Money Amount, DateOnly ReceivedOn, int AgeInDays);

/// <summary>Open receivables as of a date, rebuilt from the ledger history rather than read off today's state.</summary>
public sealed record AgingReport(
    DateOnly Date,
    AgingPolicy Policy,
    ImmutableArray<AgedItem> Items,
    ImmutableDictionary<string, Money> UnappliedCreditByCustomer,
    ImmutableArray<AgedCash> UnallocatedCash)
{
    /// <summary>
    /// Replays <paramref name="history"/> in order, counting only events effective on or before <paramref name="asOf"/>
    /// (issue date, payment value date, credit date, write-off/cancel/reversal business date). Backdated entries thus
    /// count from their effective date: this is "as of", not "as known at".
    /// </summary>
    public static AgingReport AsOf(IEnumerable<LedgerEvent> history, DateOnly asOf, AgingPolicy policy)
    {
        var invoices = new Dictionary<string, Row>(StringComparer.Ordinal);
        var counted = new HashSet<string>(StringComparer.Ordinal);
        var payments = new Dictionary<string, (string CustomerId, Money Unapplied)>(StringComparer.Ordinal);
        var cash = new Dictionary<string, UnidentifiedCashReceived>(StringComparer.Ordinal);

        foreach (var @event in history)
        {
            if (@event.Effective > asOf)
            {
                continue;
            }

            switch (@event)
            {
                case InvoiceIssued issued:
                    invoices[issued.InvoiceNumber] = new Row(issued.CustomerId!, issued.IssueDate, issued.DueDate, issued.Amount);
                    break;
                case PaymentApplied applied:
                    counted.Add(applied.AllocationId);
                    Reduce(invoices, applied.InvoiceNumber, applied.Amount);
                    Unapply(payments, applied.PaymentId, applied.Amount);
                    break;
                case AllocationReversed reversed when counted.Remove(reversed.AllocationId):
                    Reduce(invoices, reversed.InvoiceNumber, reversed.Amount.Negate());
                    Unapply(payments, reversed.PaymentId, reversed.Amount.Negate());
                    break;
                case InvoiceCredited credited:
                    Reduce(invoices, credited.InvoiceNumber, credited.Amount);
                    break;
                case InvoiceWrittenOff writtenOff:
                    Reduce(invoices, writtenOff.InvoiceNumber, writtenOff.Amount);
                    break;
                case InvoiceCancelled cancelled:
                    invoices.Remove(cancelled.InvoiceNumber);
                    break;
                case PaymentReceived received:
                    payments[received.Payment.PaymentId] = (received.CustomerId!, received.Payment.Amount);
                    break;
                case PaymentReversed reversedPayment:
                    payments.Remove(reversedPayment.PaymentId);
                    break;
                case UnidentifiedCashReceived unidentified:
                    cash[unidentified.Payment.PaymentId] = unidentified;
                    break;
                case UnidentifiedCashIdentified identified:
                    cash.Remove(identified.CashId);
                    break;
                case UnidentifiedCashReversed bounced:
                    cash.Remove(bounced.CashId);
                    break;
            }
        }

        var items = invoices
            .Where(pair => pair.Value.Open.IsPositive)
            .Select(pair => new AgedItem(pair.Value.CustomerId, pair.Key, pair.Value.Open, pair.Value.IssueDate, pair.Value.DueDate,
                AgingRules.DaysPastDue(pair.Value.DueDate, asOf),
                AgingRules.BucketOf(pair.Value.IssueDate, pair.Value.DueDate, asOf, policy).Name))
            .OrderBy(i => i.CustomerId, StringComparer.Ordinal)
            .ThenBy(i => i.InvoiceNumber, StringComparer.Ordinal)
            .ToImmutableArray();
        var credit = payments.Values
            .GroupBy(p => p.CustomerId, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => g.Select(p => p.Unapplied).Aggregate((a, b) => a + b), StringComparer.Ordinal);
        var unallocated = cash.Values
            .Select(c => new AgedCash(c.Payment.PaymentId, c.Payment.Amount, c.ReceivedOn, Math.Max(0, asOf.DayNumber - c.ReceivedOn.DayNumber)))
            .OrderBy(c => c.CashId, StringComparer.Ordinal)
            .ToImmutableArray();
        return new AgingReport(asOf, policy, items, credit, unallocated);
    }

    public decimal OpenTotal(string currency) => Items.Where(i => i.OpenAmount.Currency == currency).Sum(i => i.OpenAmount.Amount);

    /// <summary>Open amount per bucket, in the policy's bucket order (zero buckets included).</summary>
    public ImmutableArray<BucketAmount> BucketTotals(string currency, string? customerId = null) =>
        [.. Policy.Buckets.Select(b => new BucketAmount(b.Name, Items
            .Where(i => i.Bucket == b.Name && i.OpenAmount.Currency == currency && (customerId is null || i.CustomerId == customerId))
            .Sum(i => i.OpenAmount.Amount)))];

    private static void Reduce(Dictionary<string, Row> invoices, string number, Money amount)
    {
        if (invoices.TryGetValue(number, out var row))
        {
            invoices[number] = row with { Open = row.Open - amount };
        }
    }

    private static void Unapply(Dictionary<string, (string CustomerId, Money Unapplied)> payments, string paymentId, Money amount)
    {
        if (payments.TryGetValue(paymentId, out var payment))
        {
            payments[paymentId] = payment with { Unapplied = payment.Unapplied - amount };
        }
    }

    private sealed record Row(string CustomerId, DateOnly IssueDate, DateOnly DueDate, Money Open);
}
