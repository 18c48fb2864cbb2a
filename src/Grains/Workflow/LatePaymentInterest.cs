namespace ArActors.Grains.Workflow;

/// <summary>A Bank of England base rate (percent a year) in force from <see cref="From"/> until the next entry.</summary>
public sealed record BaseRate(DateOnly From, decimal Percent);

/// <summary>The base rate table (configurable, <c>ArActors:LatePayment:BaseRates</c>); <see cref="Default"/> lists the changes since 2020.</summary>
public sealed record BaseRateTable(ImmutableArray<BaseRate> Rates)
{
    /// <summary>Bank of England base rate changes from March 2020 to August 2025; later changes come from configuration.</summary>
    public static BaseRateTable Default { get; } = new(
    [
        new(new DateOnly(2020, 3, 19), 0.10m), new(new DateOnly(2021, 12, 16), 0.25m), new(new DateOnly(2022, 2, 3), 0.50m),
        new(new DateOnly(2022, 3, 17), 0.75m), new(new DateOnly(2022, 5, 5), 1.00m), new(new DateOnly(2022, 6, 16), 1.25m),
        new(new DateOnly(2022, 8, 4), 1.75m), new(new DateOnly(2022, 9, 22), 2.25m), new(new DateOnly(2022, 11, 3), 3.00m),
        new(new DateOnly(2022, 12, 15), 3.50m), new(new DateOnly(2023, 2, 2), 4.00m), new(new DateOnly(2023, 3, 23), 4.25m),
        new(new DateOnly(2023, 5, 11), 4.50m), new(new DateOnly(2023, 6, 22), 5.00m), new(new DateOnly(2023, 8, 3), 5.25m),
        new(new DateOnly(2024, 8, 1), 5.00m), new(new DateOnly(2024, 11, 7), 4.75m), new(new DateOnly(2025, 2, 6), 4.50m),
        new(new DateOnly(2025, 5, 8), 4.25m), new(new DateOnly(2025, 8, 7), 4.00m),
    ]);

    /// <summary>The rate in force on a day; null before the table's first entry.</summary>
    public decimal? On(DateOnly day) => Rates.Where(r => r.From <= day).OrderBy(r => r.From).Select(r => (decimal?)r.Percent).LastOrDefault();
}

/// <summary>What may be claimed for one late invoice as of a date under the Act.</summary>
public sealed record LatePaymentClaim(
    string CustomerId,
    string InvoiceNumber,
    DateOnly DueDate,
    DateOnly AsOf,
    DateOnly ReferenceDay,
    decimal BaseRatePercent,
    decimal AnnualRatePercent,
    int DaysLate,
    Money Interest,
    Money FixedCompensation,
    Money Total);

/// <summary>
/// Statutory late-payment interest and fixed compensation (UK Late Payment of Commercial Debts (Interest) Act 1998,
/// rate order 2002, compensation regulations 2002). Pure.
/// <list type="bullet">
/// <item>Rate: the base rate in force on the reference day (31 December for debts falling due January-June, 30 June for
/// July-December) plus 8 points, fixed for the life of the debt.</item>
/// <item>Simple interest, daily, from the day after the due date to the as-of date inclusive, on the amount outstanding
/// each day (the invoice less payments value-dated on or before it): sum of outstanding x rate / 365, rounded once to
/// the penny (half away from zero).</item>
/// <item>Fixed compensation by the size of the debt (the invoice amount): 40 GBP below 1,000, 70 below 10,000, else 100.</item>
/// </list>
/// Amounts in GBP only (the fixed sums are sterling).
/// </summary>
public static class LatePaymentInterest
{
    public const decimal PointsOverBase = 8m;

    public static DateOnly ReferenceDay(DateOnly dueDate) =>
        dueDate.Month <= 6 ? new DateOnly(dueDate.Year - 1, 12, 31) : new DateOnly(dueDate.Year, 6, 30);

    public static decimal FixedCompensation(decimal debt) => debt < 1_000m ? 40m : debt < 10_000m ? 70m : 100m;

    /// <summary>The claim for an invoice as of a date, or the error naming the field.</summary>
    public static Result<LatePaymentClaim> Claim(InvoiceState invoice, DateOnly asOf, BaseRateTable rates)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(rates);
        if (invoice.Currency != "GBP")
        {
            return LedgerError.Of("currency", ErrorCodes.Invalid, $"Statutory interest and compensation are claimed in GBP; invoice '{invoice.Number}' is in {invoice.Currency}.");
        }

        if (invoice.Cancelled)
        {
            return LedgerError.Of("invoiceNumber", ErrorCodes.InvoiceCancelled, $"Invoice '{invoice.Number}' is cancelled.");
        }

        var reference = ReferenceDay(invoice.DueDate);
        if (rates.On(reference) is not { } baseRate)
        {
            return LedgerError.Of("asOf", ErrorCodes.Invalid, $"The base rate table has no rate for the reference day {reference:yyyy-MM-dd}.");
        }

        var annual = baseRate + PointsOverBase;
        var payments = invoice.Allocations.Values.Where(a => !a.Reversed).Select(a => (a.ValueDate, a.Amount.Amount)).ToList();
        var outstandingDays = 0m;
        var days = 0;
        for (var day = invoice.DueDate.AddDays(1); day <= asOf; day = day.AddDays(1))
        {
            var outstanding = invoice.Amount.Amount - payments.Where(p => p.ValueDate <= day).Sum(p => p.Amount);
            if (outstanding <= 0m)
            {
                break;
            }

            outstandingDays += outstanding;
            days++;
        }

        var interest = Math.Round(outstandingDays * annual / 100m / 365m, 2, MidpointRounding.AwayFromZero);
        var fixedSum = days > 0 ? FixedCompensation(invoice.Amount.Amount) : 0m;
        return new LatePaymentClaim(invoice.CustomerId, invoice.Number, invoice.DueDate, asOf, reference, baseRate, annual, days,
            new Money(interest, "GBP"), new Money(fixedSum, "GBP"), new Money(interest + fixedSum, "GBP"));
    }
}
