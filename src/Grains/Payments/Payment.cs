using System.Text.Json.Serialization;

namespace ArActors.Grains.Payments;

public enum PaymentMethod
{
    BankTransfer,
    DirectDebit,
    Card,
    Cheque,
}

/// <summary>Cash received: the value date is when it counts for aging; remittance refs are what the payer quoted.</summary>
public sealed record Payment(string PaymentId, Money Amount, DateOnly ValueDate, PaymentMethod Method, ImmutableArray<string> RemittanceRefs)
{
    public bool Equals(Payment? other) =>
        other is not null && PaymentId == other.PaymentId && Amount == other.Amount && ValueDate == other.ValueDate
        && Method == other.Method && RemittanceRefs.SequenceEqual(other.RemittanceRefs);

    public override int GetHashCode() => HashCode.Combine(PaymentId, Amount, ValueDate, Method);
}

/// <summary>Where part of a payment went; a reversed line stays for the audit trail.</summary>
public sealed record PaymentAllocation(string AllocationId, string InvoiceNumber, Money Amount, bool Reversed);

/// <summary>A payment identified to an account. Unapplied is the account's credit from this payment.</summary>
public sealed record PaymentState(string CustomerId, Payment Payment)
{
    public required Money Unapplied { get; init; }

    public ImmutableDictionary<string, PaymentAllocation> Allocations { get; init; } = ImmutableDictionary<string, PaymentAllocation>.Empty;

    public bool Reversed { get; init; }

    [JsonIgnore]
    public decimal AppliedTotal => Allocations.Values.Where(a => !a.Reversed).Sum(a => a.Amount.Amount);
}

/// <summary>Cash nobody could match to an account yet; it sits in suspense, aging from the day it was received.</summary>
public sealed record UnallocatedCash(Payment Payment, DateOnly ReceivedOn)
{
    public string CashId => Payment.PaymentId;

    /// <summary>Account it was finally identified to (it then lives on as a payment with the same id).</summary>
    public string? IdentifiedAs { get; init; }

    /// <summary>Bounced before anyone identified it: it leaves suspense without paying anything.</summary>
    public bool Reversed { get; init; }

    public bool IsOpen => IdentifiedAs is null && !Reversed;

    public int AgeInDays(DateOnly asOf) => Math.Max(0, asOf.DayNumber - ReceivedOn.DayNumber);
}

public sealed record PaymentReceived(Payment Payment) : LedgerEvent;

/// <summary>The payment bounced: its allocations were reversed by the AllocationReversed events before this one.</summary>
public sealed record PaymentReversed(string PaymentId, Money UnappliedRemoved) : LedgerEvent;

public sealed record UnidentifiedCashReceived(Payment Payment, DateOnly ReceivedOn) : LedgerEvent;

public sealed record UnidentifiedCashIdentified(string CashId, string AssignedTo) : LedgerEvent;

public sealed record UnidentifiedCashReversed(string CashId, Money Amount) : LedgerEvent;
