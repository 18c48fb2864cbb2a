namespace ArActors.Grains.Workflow;

public enum PromiseStatus
{
    Open,
    Kept,
    Broken,
}

/// <summary>
/// A promise to pay <see cref="Amount"/> by <see cref="Date"/> for some invoices. Kept when payments with a value date
/// from the day it was made to <see cref="Deadline"/> (date + grace) reach the amount less <see cref="Tolerance"/>;
/// broken the day after the deadline otherwise.
/// </summary>
public sealed record PromiseToPay(string Id, Money Amount, DateOnly Date, ImmutableArray<string> InvoiceNumbers, int GraceDays = 0, decimal Tolerance = 0m)
{
    public DateOnly Deadline => Date.AddDays(GraceDays);
}

public sealed record PromiseRecord(PromiseToPay Promise, DateOnly MadeOn, Actor MadeBy, PromiseStatus Status = PromiseStatus.Open, DateOnly? ResolvedOn = null, decimal Paid = 0m);

public sealed record PromiseMade(string CustomerId, PromiseToPay Promise, DateOnly MadeOn, Actor MadeBy);

public sealed record PromiseKept(string CustomerId, string PromiseId, Money Promised, Money Paid, DateOnly On);

public sealed record PromiseBroken(string CustomerId, string PromiseId, Money Promised, Money Paid, DateOnly On);

/// <summary>Promise rules. Pure.</summary>
public static class PromiseRules
{
    public const int MaxGraceDays = 30;
    public const int MaxDaysAhead = 366;

    /// <summary>The first problem with a new promise against the account's ledger slice, naming the field.</summary>
    public static LedgerError? Validate(PromiseToPay promise, LedgerState ledger, AccountProfile account, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(account);
        if (promise is null)
        {
            return LedgerError.Of("promise", ErrorCodes.Required, "The promise is missing.");
        }

        if (string.IsNullOrWhiteSpace(promise.Id) || promise.Id.Length > 64 || promise.Id.Contains('/', StringComparison.Ordinal))
        {
            return LedgerError.Of("id", ErrorCodes.Invalid, "A promise id is 1-64 characters without '/'.");
        }

        if (promise.Amount is null || !promise.Amount.IsPositive)
        {
            return LedgerError.Of("amount", ErrorCodes.NonPositiveAmount, "A promise is for a positive amount.");
        }

        if (promise.Amount.Currency != account.Currency)
        {
            return LedgerError.Of("amount.currency", ErrorCodes.CurrencyMismatch, $"The account is kept in {account.Currency}, not {promise.Amount.Currency}.");
        }

        if (promise.Date < today || promise.Date > today.AddDays(MaxDaysAhead))
        {
            return LedgerError.Of("date", ErrorCodes.Invalid, $"The promised date must be from today ({today:yyyy-MM-dd}) to {MaxDaysAhead} days ahead.");
        }

        if (promise.GraceDays is < 0 or > MaxGraceDays)
        {
            return LedgerError.Of("graceDays", ErrorCodes.Invalid, $"Grace is 0 to {MaxGraceDays} days.");
        }

        if (promise.Tolerance < 0m || promise.Tolerance >= promise.Amount.Amount)
        {
            return LedgerError.Of("tolerance", ErrorCodes.Invalid, "Tolerance is zero or more and less than the promised amount.");
        }

        if (promise.InvoiceNumbers.IsDefaultOrEmpty)
        {
            return LedgerError.Of("invoiceNumbers", ErrorCodes.Required, "A promise names the invoices it is for.");
        }

        for (var i = 0; i < promise.InvoiceNumbers.Length; i++)
        {
            if (ledger.Invoice(promise.InvoiceNumbers[i]) is not { } invoice || invoice.CustomerId != account.CustomerId)
            {
                return LedgerError.Of($"invoiceNumbers[{i}]", ErrorCodes.UnknownInvoice, $"The account has no invoice '{promise.InvoiceNumbers[i]}'.");
            }

            if (!invoice.IsOpen)
            {
                return LedgerError.Of($"invoiceNumbers[{i}]", ErrorCodes.Invalid, $"Invoice '{invoice.Number}' has nothing open to promise.");
            }
        }

        return null;
    }

    /// <summary>Kept (payments in the window reached the amount), broken (the deadline has passed without), or still open.</summary>
    public static PromiseRecord Evaluate(PromiseRecord record, IEnumerable<PaymentState> payments, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(payments);
        if (record.Status != PromiseStatus.Open)
        {
            return record;
        }

        var promise = record.Promise;
        var paid = payments
            .Where(p => !p.Reversed && p.Payment.Amount.Currency == promise.Amount.Currency && p.Payment.ValueDate >= record.MadeOn && p.Payment.ValueDate <= promise.Deadline)
            .Sum(p => p.Payment.Amount.Amount);
        if (paid >= promise.Amount.Amount - promise.Tolerance)
        {
            return record with { Status = PromiseStatus.Kept, ResolvedOn = today, Paid = paid };
        }

        return today > promise.Deadline ? record with { Status = PromiseStatus.Broken, ResolvedOn = today, Paid = paid } : record with { Paid = paid };
    }
}
