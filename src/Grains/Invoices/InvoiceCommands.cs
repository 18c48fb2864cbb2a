namespace ArActors.Grains.Invoices;

/// <summary>A command addressed to one invoice.</summary>
public abstract record InvoiceCommand(string InvoiceNumber) : LedgerCommand;

/// <summary>Issues an invoice; the due date comes from the terms unless given.</summary>
public sealed record IssueInvoice(
    string CustomerId,
    string InvoiceNumber,
    DateOnly IssueDate,
    Money Amount,
    PaymentTerms Terms,
    DateOnly? DueDate = null,
    ExternalRefs? Refs = null) : InvoiceCommand(InvoiceNumber);

/// <summary>Applies cash from a payment; the account ledger issues this after checking the payment side.</summary>
public sealed record ApplyAllocation(string InvoiceNumber, string AllocationId, string PaymentId, Money Amount, DateOnly ValueDate)
    : InvoiceCommand(InvoiceNumber);

public sealed record ReverseAllocation(string InvoiceNumber, string AllocationId) : InvoiceCommand(InvoiceNumber);

/// <summary>Reduces the open amount by a credit note or adjustment, effective on CreditDate; the reason is the context's.</summary>
public sealed record CreditInvoice(string InvoiceNumber, string CreditId, Money Amount, DateOnly CreditDate, CreditKind Kind = CreditKind.CreditNote)
    : InvoiceCommand(InvoiceNumber);

/// <summary>Writes off an already-authorized amount; authority is checked by the ledger's write-off rules.</summary>
public sealed record WriteOffInvoice(string InvoiceNumber, string WriteOffId, Money Amount, Actor ApprovedBy) : InvoiceCommand(InvoiceNumber);

public sealed record CancelInvoice(string InvoiceNumber) : InvoiceCommand(InvoiceNumber);

/// <summary>Marks the invoice disputed for <see cref="Amount"/> (null = all of it); a new amount replaces the disputed amount.</summary>
public sealed record DisputeInvoice(string InvoiceNumber, Money? Amount = null) : InvoiceCommand(InvoiceNumber);

public sealed record ResolveDispute(string InvoiceNumber) : InvoiceCommand(InvoiceNumber);

public sealed record SetEscalationStep(string InvoiceNumber, int Step) : InvoiceCommand(InvoiceNumber);
