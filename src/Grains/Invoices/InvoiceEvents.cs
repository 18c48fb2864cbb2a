namespace ArActors.Grains.Invoices;

/// <summary>A change to one invoice; also an entry in its account's history.</summary>
public abstract record InvoiceEvent(string InvoiceNumber) : LedgerEvent;

public sealed record InvoiceIssued(string InvoiceNumber, DateOnly IssueDate, DateOnly DueDate, Money Amount, ExternalRefs Refs)
    : InvoiceEvent(InvoiceNumber);

public sealed record PaymentApplied(string InvoiceNumber, string AllocationId, string PaymentId, Money Amount, DateOnly ValueDate)
    : InvoiceEvent(InvoiceNumber);

public sealed record AllocationReversed(string InvoiceNumber, string AllocationId, string PaymentId, Money Amount)
    : InvoiceEvent(InvoiceNumber);

public sealed record InvoiceCredited(string InvoiceNumber, string CreditId, Money Amount, CreditKind Kind)
    : InvoiceEvent(InvoiceNumber);

public sealed record InvoiceWrittenOff(string InvoiceNumber, string WriteOffId, Money Amount, Actor ApprovedBy)
    : InvoiceEvent(InvoiceNumber);

public sealed record InvoiceCancelled(string InvoiceNumber) : InvoiceEvent(InvoiceNumber);

/// <summary>The invoice is disputed for <see cref="Amount"/>, or all of it when null.</summary>
public sealed record InvoiceDisputed(string InvoiceNumber, Money? Amount = null) : InvoiceEvent(InvoiceNumber);

public sealed record InvoiceDisputeResolved(string InvoiceNumber) : InvoiceEvent(InvoiceNumber);

public sealed record EscalationStepChanged(string InvoiceNumber, int Step) : InvoiceEvent(InvoiceNumber);
