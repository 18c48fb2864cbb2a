namespace ArActors.Grains.Accounts;

public enum CustomerSegment
{
    LeasingCompany,
    Corporate,
    Broker,
    Consumer,
}

public enum AccountStatus
{
    Active,
    CreditHold,
    InDispute,
    PlacedWithAgency,
    Closed,
}

public enum ContactChannel
{
    Email,
    Phone,
    Sms,
    Letter,
}

/// <summary>Channels a contact must not be reached on (legal or customer request).</summary>
[Flags]
public enum DoNotContact
{
    None = 0,
    Email = 1,
    Phone = 2,
    Sms = 4,
    Letter = 8,
    All = Email | Phone | Sms | Letter,
}

/// <summary>A weekly window, in the account's time zone, when the contact must not be called; null day = every day.</summary>
public sealed record InconvenientTime(DayOfWeek? Day, TimeOnly From, TimeOnly To);

public sealed record Contact(
    string Name,
    string Role,
    string? Email,
    string? Phone,
    ContactChannel PreferredChannel,
    DoNotContact DoNotContact,
    ImmutableArray<InconvenientTime> InconvenientTimes);

/// <summary>The account master data a customer grain holds; balances live in the ledger, not here.</summary>
public sealed record AccountProfile(
    string CustomerId,
    string Name,
    string Country,
    string TimeZone,
    string Currency,
    PaymentTerms Terms,
    decimal CreditLimit,
    CustomerSegment Segment,
    string Portfolio,
    string? AssignedCollector,
    ImmutableArray<Contact> Contacts)
{
    public AccountStatus Status { get; init; } = AccountStatus.Active;

    /// <summary>Checks the fields an account cannot work without; returns the first problem.</summary>
    public LedgerError? Validate()
    {
        if (string.IsNullOrWhiteSpace(CustomerId))
        {
            return LedgerError.Of("customerId", ErrorCodes.Required, "An account needs a customer id.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            return LedgerError.Of("name", ErrorCodes.Required, "An account needs a name.");
        }

        if (!Grains.Currency.IsValid(Currency))
        {
            return LedgerError.Of("currency", ErrorCodes.InvalidCurrency, $"'{Currency}' is not an ISO 4217 currency code.");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            return LedgerError.Of("timeZone", ErrorCodes.Invalid, $"'{TimeZone}' is not a known IANA time zone (e.g. Europe/Berlin).");
        }

        if (CreditLimit < 0 || !Grains.Currency.FitsMinorUnits(CreditLimit, Currency))
        {
            return LedgerError.Of("creditLimit", ErrorCodes.Invalid, $"Credit limit must be a non-negative {Currency} amount.");
        }

        return null;
    }

    [System.Text.Json.Serialization.JsonIgnore]
    public Money CreditLimitMoney => new(CreditLimit, Currency);
}

public sealed record AccountOpened(AccountProfile Profile) : LedgerEvent;

public sealed record AccountProfileUpdated(AccountProfile Profile) : LedgerEvent;

public sealed record AccountStatusChanged(AccountStatus Status) : LedgerEvent;
