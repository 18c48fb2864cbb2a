namespace ArActors.Grains.Tests.Ledger;

/// <summary>The checker must catch each kind of corruption in plain facts (as read back from a store).</summary>
public class InvariantCheckerTests
{
    private static LedgerFacts Healthy()
    {
        var ledger = new LedgerHarness().Account("C1").Issue("C1", "I1", 100m).Issue("C1", "I2", 50m);
        ledger.Pay("C1", "P1", 120m, LedgerHarness.Day0, "I1");
        ledger.Do(new CreditInvoice("I2", "CN1", LedgerHarness.Usd(5m), LedgerHarness.Day0));
        ledger.Do(new RequestWriteOff("W1", "I2", LedgerHarness.Usd(5m)));
        ledger.Do(new ReceiveUnidentifiedCash(new Payment("CASH1", LedgerHarness.Usd(7m), LedgerHarness.Day0, PaymentMethod.Cheque, [])));
        return LedgerFacts.From(ledger.State);
    }

    private static IEnumerable<string> Codes(LedgerFacts facts) => InvariantChecker.Check(facts).Select(v => v.Code).Distinct();

    [Fact]
    public void A_consistent_ledger_has_no_violations() => Assert.Empty(InvariantChecker.Check(Healthy()));

    [Fact]
    public void A_payment_applied_twice_is_caught()
    {
        var facts = Healthy();
        var twice = facts with { Allocations = [.. facts.Allocations, facts.Allocations[0]] };
        var codes = Codes(twice).ToList();
        Assert.Contains("duplicate_allocation_id", codes);
        Assert.Contains("invoice_open_mismatch", codes);
    }

    [Fact]
    public void Open_amount_that_disagrees_with_the_flows_is_caught_with_the_numbers()
    {
        var facts = Healthy();
        var wrong = facts with { Invoices = [.. facts.Invoices.Select(i => i.Number == "I2" ? i with { OpenAmount = 41m } : i)] };
        var violation = Assert.Single(InvariantChecker.Check(wrong), v => v.Code == "invoice_open_mismatch");
        Assert.Equal("I2", violation.Subject);
        Assert.Contains("= 40.00, but open amount is 41.00", violation.Description, StringComparison.Ordinal);
        var staleBalance = facts with { Accounts = [.. facts.Accounts.Select(a => a with { OpenBalance = a.OpenBalance + 1m })] };
        Assert.Equal(["account_balance_mismatch"], Codes(staleBalance));
    }

    [Fact]
    public void Negative_open_amount_is_caught()
    {
        var facts = Healthy();
        var negative = facts with { Invoices = [.. facts.Invoices.Select(i => i.Number == "I1" ? i with { OpenAmount = -1m } : i)] };
        Assert.Contains("negative_open_amount", Codes(negative));
    }

    [Fact]
    public void Cash_that_vanishes_is_caught()
    {
        var facts = Healthy();
        var lost = facts with { Accounts = [.. facts.Accounts.Select(a => a with { UnappliedCredit = a.UnappliedCredit - 1m })] };
        var codes = Codes(lost).ToList();
        Assert.Contains("account_unapplied_mismatch", codes);
        Assert.Contains("cash_not_conserved", codes);
    }

    [Fact]
    public void Over_applied_payment_and_reversed_payment_holding_cash_are_caught()
    {
        var facts = Healthy();
        var over = facts with { Payments = [.. facts.Payments.Select(p => p with { Amount = 90m, Unapplied = -10m })] };
        Assert.Contains("payment_over_applied", Codes(over));
        var reversed = facts with { Payments = [.. facts.Payments.Select(p => p with { Reversed = true })] };
        Assert.Contains("reversed_payment_holds_cash", Codes(reversed));
    }

    [Fact]
    public void Allocation_to_a_missing_invoice_is_caught()
    {
        var facts = Healthy();
        var orphan = facts with { Allocations = [.. facts.Allocations, new AllocationFact("X", "P1", "NOPE", "USD", 1m, false)] };
        Assert.Contains("allocation_unknown_invoice", Codes(orphan));
    }
}
