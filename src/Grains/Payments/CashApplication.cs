namespace ArActors.Grains.Payments;

/// <summary>Which rule decided where a payment went.</summary>
public enum AllocationRule
{
    RemittanceReference,
    ExactAmount,
    OldestFirst,
    NothingOpen,
}

public sealed record PlannedAllocation(string InvoiceNumber, Money Amount);

public sealed record CashPlan(AllocationRule Rule, ImmutableArray<PlannedAllocation> Lines, Money Unapplied);

/// <summary>
/// Pure cash application. Rules, first that applies wins:
/// 1. invoices quoted in the remittance (by number, or order/PO/VIN/contract ref), in the order quoted;
///    whatever is left stays unapplied credit rather than guessing;
/// 2. else a single open, undisputed invoice whose open amount equals the payment;
/// 3. else oldest first by due date, then issue date, then number (ordinal), skipping disputed invoices.
/// Leftover cash is unapplied credit on the account.
/// </summary>
public static class CashApplication
{
    public static CashPlan Plan(Payment payment, IEnumerable<InvoiceState> accountInvoices)
    {
        // Sorted up front so every rule (and a reference matching several invoices) is deterministic across processes.
        var open = accountInvoices
            .Where(i => i.IsOpen && i.Currency == payment.Amount.Currency && i.Status != InvoiceStatus.WrittenOff)
            .OrderBy(i => i.DueDate)
            .ThenBy(i => i.IssueDate)
            .ThenBy(i => i.Number, StringComparer.Ordinal)
            .ToList();

        var referenced = new List<InvoiceState>();
        foreach (var reference in payment.RemittanceRefs)
        {
            foreach (var invoice in open.Where(i => i.Number == reference || i.Refs.Matches(reference)))
            {
                if (!referenced.Contains(invoice))
                {
                    referenced.Add(invoice);
                }
            }
        }

        if (referenced.Count > 0)
        {
            return Fill(AllocationRule.RemittanceReference, payment.Amount, referenced);
        }

        var undisputed = open.Where(i => !i.Disputed).ToList();
        var exact = undisputed.Where(i => i.OpenAmount == payment.Amount).ToList();
        if (exact.Count == 1)
        {
            return Fill(AllocationRule.ExactAmount, payment.Amount, exact);
        }

        if (undisputed.Count == 0)
        {
            return new CashPlan(AllocationRule.NothingOpen, [], payment.Amount);
        }

        return Fill(AllocationRule.OldestFirst, payment.Amount, undisputed);
    }

    /// <summary>Deterministic id for an automatic allocation, so a retried payment maps to the same allocations.</summary>
    public static string AllocationId(string paymentId, string invoiceNumber) => paymentId + "/" + invoiceNumber;

    private static CashPlan Fill(AllocationRule rule, Money amount, IEnumerable<InvoiceState> invoices)
    {
        var remaining = amount;
        var lines = ImmutableArray.CreateBuilder<PlannedAllocation>();
        foreach (var invoice in invoices)
        {
            if (!remaining.IsPositive)
            {
                break;
            }

            var take = Money.Min(remaining, invoice.OpenAmount);
            lines.Add(new PlannedAllocation(invoice.Number, take));
            remaining -= take;
        }

        return new CashPlan(rule, lines.ToImmutable(), remaining);
    }
}
