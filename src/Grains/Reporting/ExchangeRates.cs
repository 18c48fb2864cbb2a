using System.Collections.Immutable;

namespace ArActors.Grains.Reporting;

/// <summary>One quoted rate: 1 unit of <see cref="Currency"/> = <see cref="Rate"/> units of the reporting currency, from <see cref="EffectiveDate"/>.</summary>
public sealed record ExchangeRate(string Currency, DateOnly EffectiveDate, decimal Rate);

public sealed class MissingExchangeRateException : Exception
{
    public MissingExchangeRateException()
    {
    }

    public MissingExchangeRateException(string message)
        : base(message)
    {
    }

    public MissingExchangeRateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MissingExchangeRateException(string currency, string reportingCurrency, DateOnly asOf)
        : base($"No exchange rate {currency}->{reportingCurrency} effective on or before {asOf:yyyy-MM-dd}.")
    {
        Currency = currency;
        ReportingCurrency = reportingCurrency;
        AsOf = asOf;
    }

    public string? Currency { get; }

    public string? ReportingCurrency { get; }

    public DateOnly? AsOf { get; }
}

/// <summary>Rates into one reporting currency; the rate used is the latest effective on or before the as-of date.</summary>
public sealed record ExchangeRates(string ReportingCurrency, ImmutableArray<ExchangeRate> Rates)
{
    public ExchangeRates(string reportingCurrency, IEnumerable<ExchangeRate> rates)
        : this(reportingCurrency, rates.ToImmutableArray())
    {
    }

    /// <summary>The rate for <paramref name="currency"/>; 1 only for the reporting currency itself, otherwise a quoted rate or an error.</summary>
    public decimal RateFor(string currency, DateOnly asOf)
    {
        if (string.Equals(currency, ReportingCurrency, StringComparison.Ordinal))
        {
            return 1m;
        }

        var quote = Rates
            .Where(r => string.Equals(r.Currency, currency, StringComparison.Ordinal) && r.EffectiveDate <= asOf)
            .OrderByDescending(r => r.EffectiveDate)
            .FirstOrDefault();
        return quote?.Rate ?? throw new MissingExchangeRateException(currency, ReportingCurrency, asOf);
    }

    public decimal Convert(decimal amount, string currency, DateOnly asOf) => Rounding.Money(amount * RateFor(currency, asOf));

    /// <summary>Restates invoices in the reporting currency at the as-of (closing) rate.</summary>
    public IReadOnlyList<ReceivableItem> ToReportingCurrency(IEnumerable<ReceivableItem> items, DateOnly asOf) =>
        items.Select(i => i with { Amount = Convert(i.Amount, i.Currency, asOf), Currency = ReportingCurrency }).ToList();
}
