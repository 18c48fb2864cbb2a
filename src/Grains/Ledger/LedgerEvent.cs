namespace ArActors.Grains.Ledger;

/// <summary>
/// An immutable fact in an account's history. Effective is the business date it counts from (issue date, payment
/// value date, credit date...), which as-of reports use; Audit says who, when and why.
/// </summary>
public abstract record LedgerEvent
{
    /// <summary>Account the event belongs to; null only for cash whose account is not yet identified.</summary>
    public required string? CustomerId { get; init; }

    public required DateOnly Effective { get; init; }

    public required AuditStamp Audit { get; init; }
}
