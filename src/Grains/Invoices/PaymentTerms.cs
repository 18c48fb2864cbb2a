using System.Text.Json.Serialization;

namespace ArActors.Grains.Invoices;

/// <summary>How an invoice's due date follows from its issue date.</summary>
// Account profiles (grain state) hold terms by their base type.
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(NetDays), "net")]
[JsonDerivedType(typeof(EndOfMonthPlusDays), "eom")]
public abstract record PaymentTerms
{
    public abstract DateOnly DueDate(DateOnly issueDate);

    /// <summary>Net N: due N days after the issue date.</summary>
    public static PaymentTerms Net(int days) => new NetDays(days);

    /// <summary>End of month + N: due N days after the last day of the issue month.</summary>
    public static PaymentTerms EndOfMonthPlus(int days) => new EndOfMonthPlusDays(days);
}

public sealed record NetDays : PaymentTerms
{
    public NetDays(int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        Days = days;
    }

    public int Days { get; }

    public override DateOnly DueDate(DateOnly issueDate) => issueDate.AddDays(Days);

    public override string ToString() => $"Net {Days}";
}

public sealed record EndOfMonthPlusDays : PaymentTerms
{
    public EndOfMonthPlusDays(int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(days);
        Days = days;
    }

    public int Days { get; }

    public override DateOnly DueDate(DateOnly issueDate) =>
        new DateOnly(issueDate.Year, issueDate.Month, DateTime.DaysInMonth(issueDate.Year, issueDate.Month)).AddDays(Days);

    public override string ToString() => $"EOM + {Days}";
}
