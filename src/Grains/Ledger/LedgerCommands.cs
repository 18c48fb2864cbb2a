namespace ArActors.Grains.Ledger;

/// <summary>A command to the receivables ledger; the context (who, when, why) travels beside it.</summary>
public abstract record LedgerCommand;

public sealed record OpenAccount(AccountProfile Profile) : LedgerCommand;

/// <summary>Replaces the master data (name, contacts, collector, terms...); status changes go through ChangeAccountStatus.</summary>
public sealed record UpdateAccountProfile(AccountProfile Profile) : LedgerCommand;

public sealed record ChangeAccountStatus(string CustomerId, AccountStatus Status) : LedgerCommand;

/// <summary>Cash from an identified account, applied by the cash-application rules; the rest becomes unapplied credit.</summary>
public sealed record ReceivePayment(string CustomerId, Payment Payment) : LedgerCommand;

/// <summary>Cash whose account is unknown; it waits as unallocated cash until identified.</summary>
public sealed record ReceiveUnidentifiedCash(Payment Payment) : LedgerCommand;

/// <summary>Assigns unallocated cash to an account, which then applies it like a fresh payment.</summary>
public sealed record IdentifyCash(string CashId, string CustomerId) : LedgerCommand;

/// <summary>Manual allocation of a payment's unapplied cash to an invoice; the caller picks the allocation id.</summary>
public sealed record AllocatePayment(string AllocationId, string PaymentId, string InvoiceNumber, Money Amount) : LedgerCommand;

/// <summary>Undoes one allocation; its cash goes back to the payment's unapplied credit.</summary>
public sealed record DeallocatePayment(string PaymentId, string AllocationId) : LedgerCommand;

/// <summary>Undo one allocation and apply its cash (or part of it) to another invoice, atomically.</summary>
public sealed record ReallocatePayment(string PaymentId, string FromAllocationId, string NewAllocationId, string ToInvoiceNumber, Money? Amount = null)
    : LedgerCommand;

/// <summary>A bounced direct debit or cheque: reopens exactly what it paid and removes its unapplied credit.</summary>
public sealed record ReversePayment(string PaymentId) : LedgerCommand;
