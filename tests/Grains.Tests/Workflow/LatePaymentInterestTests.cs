using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Workflow;

/// <summary>Worked examples of statutory late-payment interest and fixed compensation (Late Payment of Commercial Debts (Interest) Act 1998).</summary>
public sealed class LatePaymentInterestTests
{
    private static InvoiceState Invoice(decimal amount, DateOnly due, string currency = "GBP", params (string Id, decimal Amount, DateOnly On)[] payments) =>
        new InvoiceState("INV-1", "C-1", due.AddDays(-30), due, new Money(amount, currency), ExternalRefs.None)
        {
            OpenAmount = new Money(amount - payments.Sum(p => p.Amount), currency),
            Allocations = payments.ToImmutableDictionary(p => p.Id, p => new AppliedAllocation(p.Id, p.Id, new Money(p.Amount, currency), p.On, Reversed: false)),
        };

    [Fact]
    public void Five_thousand_pounds_thirty_days_late_in_spring_2024_is_base_5_25_plus_8_and_70_pounds_compensation()
    {
        // Due 31 March 2024: reference day 31 Dec 2023, base rate 5.25 %, so 13.25 %; 1-30 April = 30 days.
        // 5,000 x 13.25 % x 30 / 365 = 54.4520... -> 54.45.
        var claim = LatePaymentInterest.Claim(Invoice(5_000m, new DateOnly(2024, 3, 31)), new DateOnly(2024, 4, 30), BaseRateTable.Default).Value;

        Assert.Equal((new DateOnly(2023, 12, 31), 5.25m, 13.25m, 30), (claim.ReferenceDay, claim.BaseRatePercent, claim.AnnualRatePercent, claim.DaysLate));
        Assert.Equal((new Money(54.45m, "GBP"), new Money(70m, "GBP"), new Money(124.45m, "GBP")), (claim.Interest, claim.FixedCompensation, claim.Total));
    }

    [Fact]
    public void A_rate_cut_after_the_reference_day_does_not_change_the_rate_of_the_debt()
    {
        // Due 15 Aug 2024: reference day 30 June 2024 (5.25 %), although the rate fell to 5.00 % on 1 Aug 2024.
        // 800 x 13.25 % x 30 / 365 = 8.7123... -> 8.71; under 1,000: 40.
        var claim = LatePaymentInterest.Claim(Invoice(800m, new DateOnly(2024, 8, 15)), new DateOnly(2024, 9, 14), BaseRateTable.Default).Value;

        Assert.Equal((13.25m, 30, 8.71m, 40m), (claim.AnnualRatePercent, claim.DaysLate, claim.Interest.Amount, claim.FixedCompensation.Amount));
    }

    [Fact]
    public void Interest_runs_on_what_is_outstanding_each_day_after_a_part_payment()
    {
        // Due 10 Jan 2025: reference 31 Dec 2024 (4.75 %), 12.75 %. 2,000 paid on 20 Jan.
        // 11-19 Jan: 9 days on 12,000; 20 Jan - 9 Feb: 21 days on 10,000. (108,000 + 210,000) x 12.75 % / 365 = 111.0821... -> 111.08.
        var claim = LatePaymentInterest.Claim(Invoice(12_000m, new DateOnly(2025, 1, 10), "GBP", ("P-1", 2_000m, new DateOnly(2025, 1, 20))),
            new DateOnly(2025, 2, 9), BaseRateTable.Default).Value;

        Assert.Equal((30, 111.08m, 100m, 211.08m), (claim.DaysLate, claim.Interest.Amount, claim.FixedCompensation.Amount, claim.Total.Amount));
    }

    [Fact]
    public void Interest_stops_on_the_day_of_full_payment_and_nothing_is_claimable_before_the_day_after_due()
    {
        var paidLate = LatePaymentInterest.Claim(Invoice(999.99m, new DateOnly(2025, 3, 1), "GBP", ("P-1", 999.99m, new DateOnly(2025, 3, 11))), new DateOnly(2025, 6, 1), BaseRateTable.Default).Value;
        Assert.Equal((9, 40m), (paidLate.DaysLate, paidLate.FixedCompensation.Amount));   // 2-10 March

        var onDue = LatePaymentInterest.Claim(Invoice(10_000m, new DateOnly(2025, 3, 1)), new DateOnly(2025, 3, 1), BaseRateTable.Default).Value;
        Assert.Equal((0, 0m, 0m), (onDue.DaysLate, onDue.Interest.Amount, onDue.FixedCompensation.Amount));
    }

    [Fact]
    public void Fixed_sums_follow_the_size_of_the_debt_and_other_currencies_are_refused()
    {
        Assert.Equal((40m, 70m, 70m, 100m), (LatePaymentInterest.FixedCompensation(999.99m), LatePaymentInterest.FixedCompensation(1_000m),
            LatePaymentInterest.FixedCompensation(9_999.99m), LatePaymentInterest.FixedCompensation(10_000m)));
        Assert.Equal("currency", LatePaymentInterest.Claim(Invoice(100m, new DateOnly(2025, 3, 1), "EUR"), new DateOnly(2025, 4, 1), BaseRateTable.Default).Error!.Field);
        Assert.Equal("asOf", LatePaymentInterest.Claim(Invoice(100m, new DateOnly(2019, 3, 1)), new DateOnly(2019, 4, 1), BaseRateTable.Default).Error!.Field);
    }
}
