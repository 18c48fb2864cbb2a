using System.Globalization;
using System.Text.Json.Serialization;

namespace ArActors.Grains;

/// <summary>
/// An amount in one ISO 4217 currency. Rounding rule: the ledger never rounds; an amount with more decimals than the
/// currency's minor units (2, or 0 for JPY and the like) is rejected, so every stored amount is exact to the cent.
/// </summary>
public sealed record Money
{
    public Money(decimal amount, string currency)
    {
        if (!Grains.Currency.IsValid(currency))
        {
            throw new ArgumentException($"'{currency}' is not an ISO 4217 currency code (3 upper-case letters, e.g. USD).", nameof(currency));
        }

        if (!Grains.Currency.FitsMinorUnits(amount, currency))
        {
            throw new ArgumentException(
                $"{amount.ToString(CultureInfo.InvariantCulture)} has more than {Grains.Currency.MinorUnits(currency)} decimals allowed for {currency}.",
                nameof(amount));
        }

        Amount = amount;
        Currency = currency;
    }

    public decimal Amount { get; }

    public string Currency { get; }

    public static Money Zero(string currency) => new(0m, currency);

    /// <summary>Validates untrusted input into Money, or says which field is wrong and why (never throws).</summary>
    public static Result<Money> TryCreate(decimal amount, string? currency, string field = "amount")
    {
        if (!Grains.Currency.IsValid(currency))
        {
            return LedgerError.Of(field + ".currency", ErrorCodes.InvalidCurrency, $"'{currency}' is not an ISO 4217 currency code (3 upper-case letters, e.g. USD).");
        }

        if (!Grains.Currency.FitsMinorUnits(amount, currency!))
        {
            return LedgerError.Of(field, ErrorCodes.TooManyDecimals,
                $"{amount.ToString(CultureInfo.InvariantCulture)} has more than {Grains.Currency.MinorUnits(currency!)} decimals allowed for {currency}.");
        }

        return new Money(amount, currency!);
    }

    [JsonIgnore]
    public bool IsPositive => Amount > 0m;

    [JsonIgnore]
    public bool IsZero => Amount == 0m;

    public Money Add(Money other) => new(Amount + Same(other, "add").Amount, Currency);

    public Money Subtract(Money other) => new(Amount - Same(other, "subtract").Amount, Currency);

    public int CompareTo(Money other) => Amount.CompareTo(Same(other, "compare").Amount);

    public Money Negate() => new(-Amount, Currency);

    public static Money operator +(Money left, Money right) => left.Add(right);

    public static Money operator -(Money left, Money right) => left.Subtract(right);

    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    public static Money Min(Money left, Money right) => left <= right ? left : right;

    public override string ToString() =>
        Currency + " " + Amount.ToString("F" + Grains.Currency.MinorUnits(Currency).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private Money Same(Money other, string operation) =>
        other.Currency == Currency ? other : throw new CurrencyMismatchException(operation, this, other);
}

/// <summary>Thrown when arithmetic mixes currencies; commands check currencies first and return a LedgerError instead.</summary>
public sealed class CurrencyMismatchException(string operation, Money left, Money right)
    : InvalidOperationException($"Cannot {operation} {right} and {left}: currencies differ ({left.Currency} vs {right.Currency}); convert explicitly first.")
{
    public Money Left { get; } = left;

    public Money Right { get; } = right;
}
