using System.Text.RegularExpressions;

namespace ArActors.Grains;

/// <summary>ISO 4217 currency codes and their minor units (decimal places a ledger amount may carry).</summary>
public static partial class Currency
{
    // Active ISO 4217 codes; a typo like "USD " or "EUR1" must never open a ledger in a currency nobody can pay.
    private static readonly FrozenCodes Known = new(
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD " +
        "CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF " +
        "GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP " +
        "LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB " +
        "PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL " +
        "THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG");

    // Currencies without minor units; everything else in the table above is held to 2 decimals (see MinorUnits).
    private static readonly FrozenCodes ZeroDecimals = new("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF");

    [GeneratedRegex("^[A-Z]{3}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeShape();

    public static bool IsValid(string? code) => code is not null && CodeShape().IsMatch(code) && Known.Contains(code);

    /// <summary>
    /// Decimal places an amount in this currency may carry: 0 for JPY and other zero-decimal currencies, 2 otherwise.
    /// Three-decimal currencies (BHD, KWD, ...) are deliberately held to 2 here: the house rule is "at most 2".
    /// </summary>
    public static int MinorUnits(string code) => ZeroDecimals.Contains(code) ? 0 : 2;

    /// <summary>True when the amount needs no rounding to fit the currency's minor units (10.10m and 10.1m both fit USD).</summary>
    public static bool FitsMinorUnits(decimal amount, string code) => decimal.Round(amount, MinorUnits(code)) == amount;

    private sealed class FrozenCodes(string spaceSeparated)
    {
        private readonly HashSet<string> _codes = new(spaceSeparated.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);

        public bool Contains(string code) => _codes.Contains(code);
    }
}
