using System.Globalization;

namespace ArActors.Grains.Ledger;

public enum ReductionKind
{
    CreditNote,
    Adjustment,
    WriteOff,
}

// Plain facts, as a store would hold them (rows, not grains): the checker recomputes balances from the flows and
// compares them with the stored balances.
public sealed record AccountFact(string CustomerId, string Currency, decimal OpenBalance, decimal UnappliedCredit);

public sealed record InvoiceFact(string Number, string CustomerId, string Currency, decimal Amount, decimal OpenAmount, bool Cancelled);

public sealed record PaymentFact(string PaymentId, string CustomerId, string Currency, decimal Amount, decimal Unapplied, bool Reversed);

public sealed record AllocationFact(string AllocationId, string PaymentId, string InvoiceNumber, string Currency, decimal Amount, bool Reversed);

public sealed record ReductionFact(string Id, string InvoiceNumber, string Currency, decimal Amount, ReductionKind Kind);

public sealed record UnallocatedCashFact(string CashId, string Currency, decimal Amount, bool Identified, bool Reversed = false);

public sealed record LedgerFacts(
    IReadOnlyList<AccountFact> Accounts,
    IReadOnlyList<InvoiceFact> Invoices,
    IReadOnlyList<PaymentFact> Payments,
    IReadOnlyList<AllocationFact> Allocations,
    IReadOnlyList<ReductionFact> Reductions,
    IReadOnlyList<UnallocatedCashFact> UnallocatedCash)
{
    /// <summary>
    /// Projects ledger state into facts. Allocations come from the payment side and open amounts from the invoice side,
    /// so a disagreement between the two bookkeepings shows up as a violation.
    /// </summary>
    public static LedgerFacts From(LedgerState state) => new(
        [.. state.Accounts.Values.OrderBy(a => a.CustomerId, StringComparer.Ordinal).Select(a => new AccountFact(
            a.CustomerId,
            a.Currency,
            state.InvoicesOf(a.CustomerId).Sum(i => i.OpenAmount.Amount),
            state.PaymentsOf(a.CustomerId).Where(p => !p.Reversed).Sum(p => p.Unapplied.Amount)))],
        [.. state.Invoices.Values.OrderBy(i => i.Number, StringComparer.Ordinal)
            .Select(i => new InvoiceFact(i.Number, i.CustomerId, i.Currency, i.Amount.Amount, i.OpenAmount.Amount, i.Cancelled))],
        [.. state.Payments.Values.OrderBy(p => p.Payment.PaymentId, StringComparer.Ordinal)
            .Select(p => new PaymentFact(p.Payment.PaymentId, p.CustomerId, p.Payment.Amount.Currency, p.Payment.Amount.Amount, p.Unapplied.Amount, p.Reversed))],
        [.. state.Payments.Values.SelectMany(p => p.Allocations.Values.Select(a =>
                new AllocationFact(a.AllocationId, p.Payment.PaymentId, a.InvoiceNumber, a.Amount.Currency, a.Amount.Amount, a.Reversed)))
            .OrderBy(a => a.AllocationId, StringComparer.Ordinal)],
        [.. state.Invoices.Values.SelectMany(i =>
                i.Credits.Select(c => new ReductionFact(c.Key, i.Number, c.Value.Currency, c.Value.Amount, ReductionKind.CreditNote))
                .Concat(i.WriteOffs.Select(w => new ReductionFact(w.Key, i.Number, w.Value.Currency, w.Value.Amount, ReductionKind.WriteOff))))
            .OrderBy(r => r.InvoiceNumber, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal)],
        [.. state.UnallocatedCash.Values.OrderBy(c => c.CashId, StringComparer.Ordinal)
            .Select(c => new UnallocatedCashFact(c.CashId, c.Payment.Amount.Currency, c.Payment.Amount.Amount, c.IdentifiedAs is not null, c.Reversed))]);

    /// <summary>A canonical text of all facts: equal text means equal money state (used to prove a refusal changed nothing).</summary>
    public string Fingerprint() => string.Join('\n',
        Accounts.Select(x => x.ToString()).Concat(Invoices.Select(x => x.ToString())).Concat(Payments.Select(x => x.ToString()))
            .Concat(Allocations.Select(x => x.ToString())).Concat(Reductions.Select(x => x.ToString())).Concat(UnallocatedCash.Select(x => x.ToString())));
}

public sealed record InvariantViolation(string Code, string Subject, string Description)
{
    public override string ToString() => $"{Code} [{Subject}]: {Description}";
}

/// <summary>
/// Money invariants of a receivables ledger, checked over plain facts:
/// per invoice, amount - applied cash - credits - write-offs = open amount, never below zero;
/// per account, invoiced - applied - credits - write-offs = open balance, and unapplied credit = payments' unapplied;
/// per payment, applied never exceeds the amount (a payment is never applied twice) and a reversed payment holds nothing;
/// allocation ids are unique; per currency, cash received = applied + unapplied credit + unallocated cash.
/// </summary>
public static class InvariantChecker
{
    public static ImmutableArray<InvariantViolation> Check(LedgerState state) => Check(LedgerFacts.From(state));

    public static ImmutableArray<InvariantViolation> Check(LedgerFacts facts)
    {
        var violations = ImmutableArray.CreateBuilder<InvariantViolation>();
        void Violation(string code, string subject, string description) => violations.Add(new InvariantViolation(code, subject, description));

        foreach (var duplicate in facts.Allocations.GroupBy(a => a.AllocationId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Violation("duplicate_allocation_id", duplicate.Key, $"Allocation id used {duplicate.Count()} times (payments {string.Join(", ", duplicate.Select(a => a.PaymentId))}).");
        }

        foreach (var duplicate in facts.Invoices.GroupBy(i => i.Number, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Violation("duplicate_invoice_number", duplicate.Key, $"Invoice number appears {duplicate.Count()} times.");
        }

        foreach (var duplicate in facts.Payments.GroupBy(p => p.PaymentId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Violation("duplicate_payment_id", duplicate.Key, $"Payment id appears {duplicate.Count()} times.");
        }

        var invoices = facts.Invoices.GroupBy(i => i.Number, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var payments = facts.Payments.GroupBy(p => p.PaymentId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var active = facts.Allocations.Where(a => !a.Reversed).ToList();
        var activeByPayment = active.ToLookup(a => a.PaymentId, StringComparer.Ordinal);
        var activeByInvoice = active.ToLookup(a => a.InvoiceNumber, StringComparer.Ordinal);
        var reductionsByInvoice = facts.Reductions.ToLookup(r => r.InvoiceNumber, StringComparer.Ordinal);

        foreach (var allocation in facts.Allocations)
        {
            var subject = allocation.AllocationId;
            if (!payments.TryGetValue(allocation.PaymentId, out var payment))
            {
                Violation("allocation_unknown_payment", subject, $"Allocation refers to payment '{allocation.PaymentId}', which does not exist.");
            }
            else if (payment.Currency != allocation.Currency)
            {
                Violation("allocation_currency_mismatch", subject, $"Allocation in {allocation.Currency} from payment in {payment.Currency}.");
            }

            if (!invoices.TryGetValue(allocation.InvoiceNumber, out var invoice))
            {
                Violation("allocation_unknown_invoice", subject, $"Allocation refers to invoice '{allocation.InvoiceNumber}', which does not exist.");
            }
            else
            {
                if (invoice.Currency != allocation.Currency)
                {
                    Violation("allocation_currency_mismatch", subject, $"Allocation in {allocation.Currency} to invoice in {invoice.Currency}.");
                }

                if (payment is not null && payment.CustomerId != invoice.CustomerId)
                {
                    Violation("allocation_account_mismatch", subject, $"Payment of account '{payment.CustomerId}' applied to invoice of account '{invoice.CustomerId}'.");
                }
            }

            if (allocation.Amount <= 0m)
            {
                Violation("non_positive_allocation", subject, $"Allocation amount {Fmt(allocation.Amount)} is not positive.");
            }
        }

        foreach (var payment in facts.Payments)
        {
            var applied = activeByPayment[payment.PaymentId].Sum(a => a.Amount);
            if (payment.Reversed)
            {
                if (applied != 0m || payment.Unapplied != 0m)
                {
                    Violation("reversed_payment_holds_cash", payment.PaymentId,
                        $"Reversed payment still has {Fmt(applied)} applied and {Fmt(payment.Unapplied)} unapplied; both must be 0.");
                }

                continue;
            }

            if (applied > payment.Amount)
            {
                Violation("payment_over_applied", payment.PaymentId, $"Applied {Fmt(applied)} exceeds the payment amount {Fmt(payment.Amount)}.");
            }

            if (payment.Unapplied != payment.Amount - applied)
            {
                Violation("payment_unapplied_mismatch", payment.PaymentId,
                    $"Unapplied {Fmt(payment.Unapplied)} but amount {Fmt(payment.Amount)} - applied {Fmt(applied)} = {Fmt(payment.Amount - applied)}.");
            }

            if (payment.Unapplied < 0m)
            {
                Violation("negative_unapplied", payment.PaymentId, $"Unapplied amount {Fmt(payment.Unapplied)} is below zero.");
            }
        }

        foreach (var invoice in facts.Invoices)
        {
            var applied = activeByInvoice[invoice.Number].Sum(a => a.Amount);
            var reduced = reductionsByInvoice[invoice.Number].Sum(r => r.Amount);
            if (invoice.OpenAmount < 0m)
            {
                Violation("negative_open_amount", invoice.Number, $"Open amount {Fmt(invoice.OpenAmount)} is below zero.");
            }

            if (invoice.Cancelled)
            {
                if (invoice.OpenAmount != 0m || applied != 0m || reduced != 0m)
                {
                    Violation("cancelled_invoice_has_money", invoice.Number,
                        $"Cancelled invoice has open {Fmt(invoice.OpenAmount)}, applied {Fmt(applied)}, credited/written off {Fmt(reduced)}; all must be 0.");
                }

                continue;
            }

            if (invoice.Amount - applied - reduced != invoice.OpenAmount)
            {
                Violation("invoice_open_mismatch", invoice.Number,
                    $"Amount {Fmt(invoice.Amount)} - applied {Fmt(applied)} - credits/write-offs {Fmt(reduced)} = {Fmt(invoice.Amount - applied - reduced)}, but open amount is {Fmt(invoice.OpenAmount)}.");
            }
        }

        var invoicesByAccount = facts.Invoices.ToLookup(i => i.CustomerId, StringComparer.Ordinal);
        var paymentsByAccount = facts.Payments.ToLookup(p => p.CustomerId, StringComparer.Ordinal);
        foreach (var account in facts.Accounts)
        {
            var own = invoicesByAccount[account.CustomerId].Where(i => !i.Cancelled).ToList();
            var invoiced = own.Sum(i => i.Amount);
            var applied = own.Sum(i => activeByInvoice[i.Number].Sum(a => a.Amount));
            var credits = own.Sum(i => reductionsByInvoice[i.Number].Where(r => r.Kind != ReductionKind.WriteOff).Sum(r => r.Amount));
            var writeOffs = own.Sum(i => reductionsByInvoice[i.Number].Where(r => r.Kind == ReductionKind.WriteOff).Sum(r => r.Amount));
            var expected = invoiced - applied - credits - writeOffs;
            if (expected != account.OpenBalance)
            {
                Violation("account_balance_mismatch", account.CustomerId,
                    $"Invoiced {Fmt(invoiced)} - applied {Fmt(applied)} - credits {Fmt(credits)} - write-offs {Fmt(writeOffs)} = {Fmt(expected)}, but open balance is {Fmt(account.OpenBalance)}.");
            }

            var ownPayments = paymentsByAccount[account.CustomerId].Where(p => !p.Reversed).ToList();
            var unapplied = ownPayments.Sum(p => p.Amount) - ownPayments.Sum(p => activeByPayment[p.PaymentId].Sum(a => a.Amount));
            if (unapplied != account.UnappliedCredit)
            {
                Violation("account_unapplied_mismatch", account.CustomerId,
                    $"Payments minus applied cash = {Fmt(unapplied)}, but unapplied credit is {Fmt(account.UnappliedCredit)}.");
            }
        }

        foreach (var cash in facts.UnallocatedCash.Where(c => c.Identified && (c.Reversed || !payments.ContainsKey(c.CashId))))
        {
            Violation("identified_cash_without_payment", cash.CashId,
                cash.Reversed ? "Cash is marked both identified and bounced." : "Cash is marked identified but no payment carries its id, so it left suspense without reaching an account.");
        }

        foreach (var currency in facts.Payments.Select(p => p.Currency).Concat(facts.UnallocatedCash.Select(c => c.Currency)).Distinct(StringComparer.Ordinal))
        {
            var unallocated = facts.UnallocatedCash.Where(c => c.Currency == currency && !c.Identified && !c.Reversed).Sum(c => c.Amount);
            var received = facts.Payments.Where(p => p.Currency == currency && !p.Reversed).Sum(p => p.Amount) + unallocated;
            var applied = active.Where(a => a.Currency == currency && payments.TryGetValue(a.PaymentId, out var p) && !p.Reversed).Sum(a => a.Amount);
            var unapplied = facts.Accounts.Where(a => a.Currency == currency).Sum(a => a.UnappliedCredit);
            if (received != applied + unapplied + unallocated)
            {
                Violation("cash_not_conserved", currency,
                    $"Cash received {Fmt(received)} != applied {Fmt(applied)} + unapplied credit {Fmt(unapplied)} + unallocated {Fmt(unallocated)} = {Fmt(applied + unapplied + unallocated)}.");
            }
        }

        return violations.ToImmutable();
    }

    private static string Fmt(decimal amount) => amount.ToString("0.00##", CultureInfo.InvariantCulture);
}
