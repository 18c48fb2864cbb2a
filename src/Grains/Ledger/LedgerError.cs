namespace ArActors.Grains;

/// <summary>Why a command was refused: which field, a stable machine code, and a sentence for humans (maps to problem+json).</summary>
public sealed record LedgerError(string Field, string Code, string Message)
{
    public static LedgerError Of(string field, string code, string message) => new(field, code, message);

    /// <summary>A change without an actor: every change records who made it.</summary>
    public static LedgerError NoActor { get; } = new("actor", ErrorCodes.Required, "Every change needs an actor.");

    /// <summary>A command for an account the ledger does not hold.</summary>
    public static LedgerError UnknownAccount(string? customerId) =>
        new("customerId", ErrorCodes.UnknownAccount, $"Account '{customerId}' does not exist.");

    public override string ToString() => $"{Code} ({Field}): {Message}";
}

/// <summary>Stable error codes; the API and tests match on these, never on the message text.</summary>
public static class ErrorCodes
{
    public const string InvalidCurrency = "invalid_currency";
    public const string TooManyDecimals = "too_many_decimals";
    public const string NonPositiveAmount = "non_positive_amount";
    public const string CurrencyMismatch = "currency_mismatch";
    public const string Required = "required";
    public const string Invalid = "invalid";
    public const string UnknownAccount = "unknown_account";
    public const string DuplicateAccount = "duplicate_account";
    public const string AccountClosed = "account_closed";
    public const string UnknownInvoice = "unknown_invoice";
    public const string DuplicateInvoiceNumber = "duplicate_invoice_number";
    public const string InvoiceCancelled = "invoice_cancelled";
    public const string InvoiceWrittenOff = "invoice_written_off";
    public const string InvoiceHasActivity = "invoice_has_activity";
    public const string ExceedsOpenAmount = "exceeds_open_amount";
    public const string AccountMismatch = "account_mismatch";
    public const string UnknownPayment = "unknown_payment";
    public const string DuplicatePayment = "duplicate_payment";
    public const string PaymentReversed = "payment_reversed";
    public const string ExceedsPaymentUnapplied = "exceeds_payment_unapplied";
    public const string UnknownAllocation = "unknown_allocation";
    public const string AllocationConflict = "allocation_conflict";
    public const string UnknownCash = "unknown_unallocated_cash";
    public const string CashAlreadyIdentified = "cash_already_identified";
    public const string IdConflict = "id_conflict";
    public const string UnknownWriteOff = "unknown_write_off";
    public const string WriteOffNotPending = "write_off_not_pending";
    public const string NotAuthorized = "not_authorized";
    public const string VersionMismatch = "version_mismatch";
}
