using System.Collections.Immutable;
using System.Text.RegularExpressions;
using ArActors.Grains;
using ArActors.Grains.Accounts;
using ArActors.Grains.Invoices;

namespace ArActors.Api.Ledger;

/// <summary>
/// Collects every problem of one request, each under the JSON path of its field (camelCase, as the client sent it),
/// and builds domain values only from checked input. Problems become one 400 problem+json listing them all.
/// </summary>
internal sealed partial class RequestValidator
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IReadOnlyDictionary<string, string[]> Errors => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Add(string field, string reason)
    {
        if (!_errors.TryGetValue(field, out var reasons))
        {
            _errors[field] = reasons = [];
        }

        reasons.Add(reason);
    }

    /// <summary>Ids travel in URLs: letters, digits, '.', '_' and '-', 1 to 64 characters, starting with a letter or digit.</summary>
    public static bool IsId(string? value) => value is not null && IdPattern().IsMatch(value);

    public string? Id(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "is required.");
            return null;
        }

        if (!IsId(value))
        {
            Add(field, "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            return null;
        }

        return value;
    }

    public string? Text(string field, string? value, int maxLength = 200, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                Add(field, "is required.");
            }

            return null;
        }

        if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters.");
            return null;
        }

        return value;
    }

    /// <summary>An optional reason for the audit trail, at most 500 characters.</summary>
    public string? Reason(string? value) => Text("reason", value, 500, required: false);

    public T? Required<T>(string field, T? value)
        where T : struct
    {
        if (value is null)
        {
            Add(field, "is required.");
        }

        return value;
    }

    public T? Defined<T>(string field, T? value)
        where T : struct, Enum
    {
        if (value is { } v && !Enum.IsDefined(v) && !typeof(T).IsDefined(typeof(FlagsAttribute), false))
        {
            Add(field, $"must be one of {string.Join(", ", Enum.GetNames<T>())}.");
            return null;
        }

        return value;
    }

    /// <summary>The largest single amount (and credit limit) the API takes: sums over many of them stay far inside decimal's range.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>A positive amount in a valid currency with no more decimals than the currency has.</summary>
    public Money? PositiveMoney(string amountField, decimal? amount, string currencyField, string? currency)
    {
        if (amount is null)
        {
            Add(amountField, "is required.");
        }
        else if (amount <= 0m)
        {
            Add(amountField, "must be greater than zero.");
        }
        else if (amount > MaxAmount)
        {
            Add(amountField, "must not exceed 1,000,000,000,000.");
        }

        if (string.IsNullOrEmpty(currency))
        {
            Add(currencyField, "is required.");
            return null;
        }

        if (!Currency.IsValid(currency))
        {
            Add(currencyField, $"'{currency}' is not an ISO 4217 currency code (3 upper-case letters, e.g. USD).");
            return null;
        }

        if (amount is not { } value || value <= 0m || value > MaxAmount)
        {
            return null;
        }

        if (!Currency.FitsMinorUnits(value, currency))
        {
            Add(amountField, $"has more than {Currency.MinorUnits(currency)} decimals, the most {currency} allows.");
            return null;
        }

        return new Money(value, currency);
    }

    public PaymentTerms? Terms(string field, TermsRequest? terms, bool required)
    {
        if (terms is null)
        {
            if (required)
            {
                Add(field, "is required.");
            }

            return null;
        }

        if (terms.Days is not (>= 0 and <= 365))
        {
            Add(field + ".days", "must be a whole number of days from 0 to 365.");
            return null;
        }

        switch (terms.Kind)
        {
            case "net":
                return PaymentTerms.Net(terms.Days.Value);
            case "eom":
                return PaymentTerms.EndOfMonthPlus(terms.Days.Value);
            default:
                Add(field + ".kind", "must be 'net' (due N days after issue) or 'eom' (N days after the end of the issue month).");
                return null;
        }
    }

    public AccountProfile? Profile(AccountRequest request, string? customerIdFromPath)
    {
        var customerId = customerIdFromPath ?? Id("customerId", request.CustomerId);
        if (customerIdFromPath is not null && request.CustomerId is not null && request.CustomerId != customerIdFromPath)
        {
            Add("customerId", $"must match the account in the URL ('{customerIdFromPath}') or be left out.");
        }

        var name = Text("name", request.Name);
        var country = request.Country is { Length: 2 } c && c.All(char.IsAsciiLetterUpper) ? c : null;
        if (country is null)
        {
            Add("country", "must be an ISO 3166-1 alpha-2 code in upper case, e.g. DE.");
        }

        var timeZone = Text("timeZone", request.TimeZone, 64);
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            Add("timeZone", $"'{timeZone}' is not a known IANA time zone (e.g. Europe/Berlin).");
        }

        var currency = request.Currency;
        if (!Currency.IsValid(currency))
        {
            Add("currency", $"'{currency}' is not an ISO 4217 currency code (3 upper-case letters, e.g. USD).");
        }

        var terms = Terms("terms", request.Terms, required: true);
        var creditLimit = Required("creditLimit", request.CreditLimit);
        if (creditLimit < 0m)
        {
            Add("creditLimit", "must not be negative.");
        }
        else if (creditLimit > MaxAmount)
        {
            Add("creditLimit", "must not exceed 1,000,000,000,000.");
        }
        else if (creditLimit is { } limit && Currency.IsValid(currency) && !Currency.FitsMinorUnits(limit, currency!))
        {
            Add("creditLimit", $"has more decimals than {currency} allows.");
        }

        var segment = Defined("segment", Required("segment", request.Segment));
        var portfolio = Id("portfolio", request.Portfolio);
        var collector = request.AssignedCollector is null ? null : Id("assignedCollector", request.AssignedCollector);
        var contacts = ImmutableArray.CreateBuilder<Contact>();
        foreach (var (i, contact) in (request.Contacts ?? []).Index())
        {
            if (Contact($"contacts[{i}]", contact) is { } valid)
            {
                contacts.Add(valid);
            }
        }

        return IsValid
            ? new AccountProfile(customerId!, name!, country!, timeZone!, currency!, terms!, creditLimit!.Value, segment!.Value, portfolio!, collector, contacts.ToImmutable())
            : null;
    }

    private Contact? Contact(string field, ContactRequest? contact)
    {
        if (contact is null)
        {
            Add(field, "must be an object.");
            return null;
        }

        var before = _errors.Count;
        var name = Text(field + ".name", contact.Name);
        var role = Text(field + ".role", contact.Role, required: false) ?? "";
        var email = Text(field + ".email", contact.Email, 254, required: false);
        if (email is not null && (!email.Contains('@', StringComparison.Ordinal) || email.Contains(' ', StringComparison.Ordinal)))
        {
            Add(field + ".email", "is not an e-mail address.");
        }

        var phone = Text(field + ".phone", contact.Phone, 32, required: false);
        if (phone is not null && !PhonePattern().IsMatch(phone))
        {
            Add(field + ".phone", "must be digits with an optional leading '+', spaces or dashes (E.164 preferred).");
        }

        var channel = Defined(field + ".preferredChannel", contact.PreferredChannel) ?? (email is not null ? ContactChannel.Email : ContactChannel.Phone);
        var times = ImmutableArray.CreateBuilder<InconvenientTime>();
        foreach (var (i, time) in (contact.InconvenientTimes ?? []).Index())
        {
            var path = $"{field}.inconvenientTimes[{i}]";
            var from = Required(path + ".from", time?.From);
            var to = Required(path + ".to", time?.To);
            if (from is { } f && to is { } t)
            {
                times.Add(new InconvenientTime(time!.Day, f, t));
            }
        }

        return _errors.Count == before
            ? new Contact(name!, role, email, phone, channel, contact.DoNotContact ?? DoNotContact.None, times.ToImmutable())
            : null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9 \-]{3,30}$")]
    private static partial Regex PhonePattern();
}
