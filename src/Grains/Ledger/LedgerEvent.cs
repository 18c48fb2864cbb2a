using System.Text.Json.Serialization;

namespace ArActors.Grains.Ledger;

/// <summary>
/// An immutable fact in an account's history. Effective is the business date it counts from (issue date, payment
/// value date, credit date...), which as-of reports use; Audit says who, when and why.
/// </summary>
// Grains persist and publish events as LedgerEvent, so the concrete type travels as a discriminator.
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AccountOpened), nameof(AccountOpened))]
[JsonDerivedType(typeof(AccountProfileUpdated), nameof(AccountProfileUpdated))]
[JsonDerivedType(typeof(AccountStatusChanged), nameof(AccountStatusChanged))]
[JsonDerivedType(typeof(InvoiceIssued), nameof(InvoiceIssued))]
[JsonDerivedType(typeof(PaymentApplied), nameof(PaymentApplied))]
[JsonDerivedType(typeof(AllocationReversed), nameof(AllocationReversed))]
[JsonDerivedType(typeof(InvoiceCredited), nameof(InvoiceCredited))]
[JsonDerivedType(typeof(InvoiceWrittenOff), nameof(InvoiceWrittenOff))]
[JsonDerivedType(typeof(InvoiceCancelled), nameof(InvoiceCancelled))]
[JsonDerivedType(typeof(InvoiceDisputed), nameof(InvoiceDisputed))]
[JsonDerivedType(typeof(InvoiceDisputeResolved), nameof(InvoiceDisputeResolved))]
[JsonDerivedType(typeof(EscalationStepChanged), nameof(EscalationStepChanged))]
[JsonDerivedType(typeof(PaymentReceived), nameof(PaymentReceived))]
[JsonDerivedType(typeof(PaymentReversed), nameof(PaymentReversed))]
[JsonDerivedType(typeof(UnidentifiedCashReceived), nameof(UnidentifiedCashReceived))]
[JsonDerivedType(typeof(UnidentifiedCashIdentified), nameof(UnidentifiedCashIdentified))]
[JsonDerivedType(typeof(UnidentifiedCashReversed), nameof(UnidentifiedCashReversed))]
[JsonDerivedType(typeof(WriteOffRequested), nameof(WriteOffRequested))]
[JsonDerivedType(typeof(WriteOffApproved), nameof(WriteOffApproved))]
[JsonDerivedType(typeof(WriteOffRejected), nameof(WriteOffRejected))]
public abstract record LedgerEvent
{
    /// <summary>Account the event belongs to; null only for cash whose account is not yet identified.</summary>
    public required string? CustomerId { get; init; }

    public required DateOnly Effective { get; init; }

    public required AuditStamp Audit { get; init; }
}
