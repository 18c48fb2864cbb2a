using System.Text.Json.Serialization;

namespace ArActors.Grains.Invoices;

public enum InvoiceStatus
{
    Open,
    PartiallyPaid,
    Paid,
    Disputed,
    WrittenOff,
    Cancelled,
}

public enum CreditKind
{
    CreditNote,
    Adjustment,
}

/// <summary>References a customer may quote on a remittance instead of the invoice number.</summary>
public sealed record ExternalRefs(string? Order = null, string? PurchaseOrder = null, string? Vin = null, string? Contract = null)
{
    public static ExternalRefs None { get; } = new();

    public bool Matches(string reference) =>
        reference.Length > 0 && (reference == Order || reference == PurchaseOrder || reference == Vin || reference == Contract);
}

/// <summary>Cash from one payment applied to this invoice; a reversed line stays so a retried apply stays a no-op.</summary>
public sealed record AppliedAllocation(string AllocationId, string PaymentId, Money Amount, DateOnly ValueDate, bool Reversed);

/// <summary>
/// An invoice as its grain holds it. Amounts are in the invoice currency, which is the account currency. What is computed
/// from the other members is not stored: every account write serializes each of its invoices.
/// </summary>
public sealed record InvoiceState(
    string Number,
    string CustomerId,
    DateOnly IssueDate,
    DateOnly DueDate,
    Money Amount,
    ExternalRefs Refs)
{
    public required Money OpenAmount { get; init; }

    public ImmutableDictionary<string, AppliedAllocation> Allocations { get; init; } = ImmutableDictionary<string, AppliedAllocation>.Empty;

    public ImmutableDictionary<string, Money> Credits { get; init; } = ImmutableDictionary<string, Money>.Empty;

    public ImmutableDictionary<string, Money> WriteOffs { get; init; } = ImmutableDictionary<string, Money>.Empty;

    public bool Cancelled { get; init; }

    public bool Disputed { get; init; }

    /// <summary>The part of the invoice in dispute while <see cref="Disputed"/>; null = all of it.</summary>
    public Money? DisputedAmount { get; init; }

    /// <summary>What dunning may still ask for: the open amount less the part in dispute (zero when all of it is).</summary>
    [JsonIgnore]
    public Money UndisputedOpenAmount =>
        !Disputed ? OpenAmount
        : DisputedAmount is not { } disputed || disputed >= OpenAmount ? Money.Zero(Currency)
        : OpenAmount - disputed;

    public int EscalationStep { get; init; }

    /// <summary>Effective date on which the open amount last reached zero; null while anything is open.</summary>
    public DateOnly? SettledOn { get; init; }

    [JsonIgnore]
    public string Currency => Amount.Currency;

    [JsonIgnore]
    public decimal AppliedTotal => Allocations.Values.Where(a => !a.Reversed).Sum(a => a.Amount.Amount);

    [JsonIgnore]
    public decimal CreditedTotal => Credits.Values.Sum(c => c.Amount);

    [JsonIgnore]
    public decimal WrittenOffTotal => WriteOffs.Values.Sum(w => w.Amount);

    [JsonIgnore]
    public bool HasActivity => AppliedTotal != 0m || CreditedTotal != 0m || WrittenOffTotal != 0m;

    [JsonIgnore]
    public InvoiceStatus Status =>
        Cancelled ? InvoiceStatus.Cancelled
        : OpenAmount.IsZero ? (WrittenOffTotal > 0m ? InvoiceStatus.WrittenOff : InvoiceStatus.Paid)
        : Disputed ? InvoiceStatus.Disputed
        : OpenAmount < Amount ? InvoiceStatus.PartiallyPaid
        : InvoiceStatus.Open;

    [JsonIgnore]
    public bool IsOpen => !Cancelled && OpenAmount.IsPositive;

    public int DaysPastDue(DateOnly asOf) => IsOpen ? AgingRules.DaysPastDue(DueDate, asOf) : 0;

    public AgingBucket Bucket(DateOnly asOf, AgingPolicy policy) => AgingRules.BucketOf(IssueDate, DueDate, asOf, policy);

    /// <summary>When the reminder should fire to re-bucket this invoice; null once settled or in the last bucket.</summary>
    public DateOnly? NextAgingBoundary(DateOnly asOf, AgingPolicy policy) =>
        IsOpen ? AgingRules.NextBoundaryDate(IssueDate, DueDate, asOf, policy) : null;

    /// <summary>Days paid after the due date, once settled (max(0, settled - due)).</summary>
    [JsonIgnore]
    public int? DaysLate => SettledOn is { } settled ? AgingRules.DaysPastDue(DueDate, settled) : null;

    [JsonIgnore]
    public int? DaysToSettle => SettledOn is { } settled ? settled.DayNumber - IssueDate.DayNumber : null;
}
