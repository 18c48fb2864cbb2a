using static ArActors.Grains.Tests.Dates;

namespace ArActors.Grains.Tests.Invoices;

public class PaymentTermsTests
{
    [Theory]
    [InlineData("2026-01-15", 30, "2026-02-14")]
    [InlineData("2026-12-15", 30, "2027-01-14")]
    [InlineData("2026-01-31", 0, "2026-01-31")]
    [InlineData("2024-02-01", 28, "2024-02-29")]
    [InlineData("2025-02-01", 28, "2025-03-01")]
    public void Net_N_is_due_N_days_after_issue(string issued, int days, string due) =>
        Assert.Equal(D(due), PaymentTerms.Net(days).DueDate(D(issued)));

    [Theory]
    [InlineData("2026-01-15", 30, "2026-03-02")]
    [InlineData("2026-01-31", 30, "2026-03-02")]
    [InlineData("2026-01-01", 0, "2026-01-31")]
    [InlineData("2024-02-10", 0, "2024-02-29")]
    [InlineData("2025-02-10", 0, "2025-02-28")]
    [InlineData("2024-01-20", 29, "2024-02-29")]
    [InlineData("2026-04-30", 15, "2026-05-15")]
    [InlineData("2026-12-01", 10, "2027-01-10")]
    public void End_of_month_plus_N_counts_from_the_last_day_of_the_issue_month(string issued, int days, string due) =>
        Assert.Equal(D(due), PaymentTerms.EndOfMonthPlus(days).DueDate(D(issued)));

    [Fact]
    public void Issued_invoice_takes_its_due_date_from_terms_unless_given()
    {
        var ledger = new LedgerHarness().Account("C1");
        ledger.Do(new IssueInvoice("C1", "I1", new DateOnly(2026, 1, 15), LedgerHarness.Usd(10m), PaymentTerms.EndOfMonthPlus(30)));
        ledger.Do(new IssueInvoice("C1", "I2", new DateOnly(2026, 1, 15), LedgerHarness.Usd(10m), PaymentTerms.EndOfMonthPlus(30), new DateOnly(2026, 1, 20)));
        Assert.Equal(new DateOnly(2026, 3, 2), ledger.Invoice("I1").DueDate);
        Assert.Equal(new DateOnly(2026, 1, 20), ledger.Invoice("I2").DueDate);
    }

    [Fact]
    public void Negative_term_days_are_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentTerms.Net(-1));
}
