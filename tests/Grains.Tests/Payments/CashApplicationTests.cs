namespace ArActors.Grains.Tests.Payments;

public class CashApplicationTests
{
    private static readonly DateOnly Jan1 = new(2026, 1, 1);

    private static LedgerHarness ThreeInvoices() => new LedgerHarness().Account("C1")
        .Issue("C1", "INV-3", 300m, Jan1.AddDays(2), Jan1.AddDays(32))
        .Issue("C1", "INV-1", 100m, Jan1, Jan1.AddDays(30), new ExternalRefs(PurchaseOrder: "PO-77"))
        .Issue("C1", "INV-2", 200m, Jan1.AddDays(1), Jan1.AddDays(31));

    [Fact]
    public void Remittance_reference_wins_over_exact_amount_and_oldest_first()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 100m, Jan1.AddDays(5), "INV-3");
        Assert.Equal(200m, ledger.Open("INV-3"));
        Assert.Equal(100m, ledger.Open("INV-1"));
        Assert.Equal(200m, ledger.Open("INV-2"));
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Remittance_may_quote_an_external_reference_such_as_the_PO()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 100m, Jan1, "PO-77");
        Assert.Equal(0m, ledger.Open("INV-1"));
        Assert.Equal(InvoiceStatus.Paid, ledger.Invoice("INV-1").Status);
    }

    [Fact]
    public void Referenced_invoices_are_paid_in_quoted_order_and_leftover_becomes_unapplied_credit()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 450m, Jan1, "INV-2", "INV-1");
        Assert.Equal(0m, ledger.Open("INV-2"));
        Assert.Equal(0m, ledger.Open("INV-1"));
        Assert.Equal(300m, ledger.Open("INV-3"));
        Assert.Equal(150m, ledger.Payment("P1").Unapplied.Amount);
        Assert.Equal(150m, AccountSummary.Compute(ledger.State, "C1", Jan1, AgingPolicy.Default).UnappliedCredit.Amount);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Without_references_an_exact_amount_match_to_one_invoice_wins_over_oldest_first()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 200m, Jan1);
        Assert.Equal(0m, ledger.Open("INV-2"));
        Assert.Equal(100m, ledger.Open("INV-1"));
    }

    [Fact]
    public void Unknown_references_fall_through_to_the_next_rule()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 300m, Jan1, "NO-SUCH-INVOICE");
        Assert.Equal(0m, ledger.Open("INV-3"));
    }

    [Fact]
    public void Otherwise_oldest_due_first_and_a_partial_payment_leaves_the_rest_open()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 250m, Jan1);
        Assert.Equal(0m, ledger.Open("INV-1"));
        Assert.Equal(50m, ledger.Open("INV-2"));
        Assert.Equal(InvoiceStatus.PartiallyPaid, ledger.Invoice("INV-2").Status);
        Assert.Equal(300m, ledger.Open("INV-3"));
        Assert.Equal(0m, ledger.Payment("P1").Unapplied.Amount);
    }

    [Fact]
    public void Same_due_date_is_broken_by_issue_date_then_number()
    {
        var due = Jan1.AddDays(30);
        var ledger = new LedgerHarness().Account("C1")
            .Issue("C1", "B", 10m, Jan1, due)
            .Issue("C1", "A", 10m, Jan1, due)
            .Issue("C1", "Z", 10m, Jan1.AddDays(-1), due);
        var plan = CashApplication.Plan(new Payment("P", LedgerHarness.Usd(25m), Jan1, PaymentMethod.Card, []), ledger.State.InvoicesOf("C1"));
        Assert.Equal(AllocationRule.OldestFirst, plan.Rule);
        Assert.Equal(["Z", "A", "B"], plan.Lines.Select(l => l.InvoiceNumber));
        Assert.Equal(5m, plan.Lines[2].Amount.Amount);
    }

    [Fact]
    public void Overpayment_becomes_unapplied_credit_on_the_account()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 1_000m, Jan1);
        Assert.All(ledger.State.InvoicesOf("C1"), i => Assert.Equal(InvoiceStatus.Paid, i.Status));
        var summary = AccountSummary.Compute(ledger.State, "C1", Jan1, AgingPolicy.Default);
        Assert.Equal(400m, summary.UnappliedCredit.Amount);
        Assert.Equal(0m, summary.OpenBalance.Amount);
        Assert.Equal(new LastPayment("P1", LedgerHarness.Usd(1_000m), Jan1), summary.LastPayment);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Unidentified_cash_waits_as_unallocated_until_identified_then_applies()
    {
        var ledger = ThreeInvoices();
        ledger.Do(new ReceiveUnidentifiedCash(new Payment("CASH-1", LedgerHarness.Usd(100m), Jan1, PaymentMethod.BankTransfer, ["INV-1"])));
        Assert.Equal(100m, ledger.Open("INV-1"));
        Assert.Equal(9, ledger.State.UnallocatedCash["CASH-1"].AgeInDays(Jan1.AddDays(9)));
        var asOf = AgingReport.AsOf(ledger.History, Jan1.AddDays(3), AgingPolicy.Default);
        Assert.Equal(3, Assert.Single(asOf.UnallocatedCash).AgeInDays);
        ledger.AssertNoViolations();

        ledger.Do(new IdentifyCash("CASH-1", "C1"), LedgerHarness.As(ActorRole.Collector, Jan1.AddDays(4)));
        Assert.Equal(0m, ledger.Open("INV-1"));
        Assert.False(ledger.State.UnallocatedCash["CASH-1"].IsOpen);
        Assert.Empty(AgingReport.AsOf(ledger.History, Jan1.AddDays(4), AgingPolicy.Default).UnallocatedCash);
        Assert.Equal(100m, AgingReport.AsOf(ledger.History, Jan1.AddDays(3), AgingPolicy.Default).Items.Single(i => i.InvoiceNumber == "INV-1").OpenAmount.Amount);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Manual_reallocation_undoes_one_allocation_and_applies_it_elsewhere()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 100m, Jan1, "INV-1");
        ledger.Do(new ReallocatePayment("P1", CashApplication.AllocationId("P1", "INV-1"), "P1-manual-1", "INV-3"));
        Assert.Equal(100m, ledger.Open("INV-1"));
        Assert.Equal(InvoiceStatus.Open, ledger.Invoice("INV-1").Status);
        Assert.Equal(200m, ledger.Open("INV-3"));
        Assert.Equal(0m, ledger.Payment("P1").Unapplied.Amount);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Deallocated_cash_returns_to_unapplied_and_can_be_allocated_manually_in_parts()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 100m, Jan1, "INV-1");
        ledger.Do(new DeallocatePayment("P1", "P1/INV-1"));
        Assert.Equal(100m, ledger.Payment("P1").Unapplied.Amount);
        ledger.Do(new AllocatePayment("A1", "P1", "INV-2", LedgerHarness.Usd(60m)));
        ledger.Do(new AllocatePayment("A2", "P1", "INV-3", LedgerHarness.Usd(40m)));
        Assert.Equal(140m, ledger.Open("INV-2"));
        Assert.Equal(260m, ledger.Open("INV-3"));
        Assert.Equal(ErrorCodes.ExceedsPaymentUnapplied, ledger.Refuse(new AllocatePayment("A3", "P1", "INV-1", LedgerHarness.Usd(0.01m))).Code);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Reversal_reopens_exactly_what_the_payment_paid_and_removes_its_credit()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P0", 40m, Jan1, "INV-2");
        ledger.Pay("C1", "P1", 500m, Jan1, "INV-1", "INV-2");
        Assert.Equal(0m, ledger.Open("INV-1"));
        Assert.Equal(0m, ledger.Open("INV-2"));
        Assert.Equal(240m, ledger.Payment("P1").Unapplied.Amount);

        var events = ledger.Do(new ReversePayment("P1"), LedgerHarness.As(ActorRole.System, Jan1.AddDays(3)));
        Assert.Equal(100m, ledger.Open("INV-1"));
        Assert.Equal(160m, ledger.Open("INV-2"));
        Assert.Equal(300m, ledger.Open("INV-3"));
        Assert.Equal(0m, ledger.Payment("P1").Unapplied.Amount);
        Assert.True(ledger.Payment("P1").Reversed);
        Assert.Equal(0m, AccountSummary.Compute(ledger.State, "C1", Jan1, AgingPolicy.Default).UnappliedCredit.Amount);
        Assert.Equal(2, events.OfType<AllocationReversed>().Count());
        Assert.Equal(new DateOnly(2026, 1, 4), events.OfType<PaymentReversed>().Single().Effective);
        ledger.AssertNoViolations();

        Assert.Empty(ledger.Do(new ReversePayment("P1")));
    }

    [Fact]
    public void Applying_the_same_allocation_twice_is_a_no_op()
    {
        var ledger = ThreeInvoices();
        ledger.Pay("C1", "P1", 50m, Jan1);
        ledger.Do(new DeallocatePayment("P1", "P1/INV-1"));
        var allocate = new AllocatePayment("A1", "P1", "INV-2", LedgerHarness.Usd(50m));
        Assert.Single(ledger.Do(allocate));
        Assert.Empty(ledger.Do(allocate));
        Assert.Equal(150m, ledger.Open("INV-2"));

        var invoice = ledger.Invoice("INV-2");
        var retry = InvoiceRules.Decide(invoice, new ApplyAllocation("INV-2", "A1", "P1", LedgerHarness.Usd(50m), Jan1), LedgerHarness.As(ActorRole.System));
        Assert.Empty(retry.Value);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void A_payment_received_twice_is_applied_once()
    {
        var ledger = ThreeInvoices();
        Assert.Equal(2, ledger.Pay("C1", "P1", 100m, Jan1, "INV-1").Length);
        Assert.Empty(ledger.Pay("C1", "P1", 100m, Jan1, "INV-1"));
        Assert.Equal(0m, ledger.Open("INV-1"));
        Assert.Equal(ErrorCodes.DuplicatePayment,
            ledger.Refuse(new ReceivePayment("C1", new Payment("P1", LedgerHarness.Usd(99m), Jan1, PaymentMethod.Card, []))).Code);
    }

    [Fact]
    public void Disputed_invoices_are_paid_only_when_referenced()
    {
        var ledger = ThreeInvoices();
        ledger.Do(new DisputeInvoice("INV-1"));
        Assert.Equal(InvoiceStatus.Disputed, ledger.Invoice("INV-1").Status);
        ledger.Pay("C1", "P1", 100m, Jan1);
        Assert.Equal(100m, ledger.Open("INV-1"));
        Assert.Equal(100m, ledger.Open("INV-2"));
        ledger.Pay("C1", "P2", 100m, Jan1, "INV-1");
        Assert.Equal(0m, ledger.Open("INV-1"));
    }

    [Fact]
    public void Unidentified_cash_that_bounces_leaves_suspense_and_cannot_be_identified()
    {
        var ledger = ThreeInvoices();
        ledger.Do(new ReceiveUnidentifiedCash(new Payment("CASH-1", LedgerHarness.Usd(80m), Jan1, PaymentMethod.Cheque, [])));
        Assert.IsType<UnidentifiedCashReversed>(Assert.Single(ledger.Do(new ReversePayment("CASH-1"), LedgerHarness.As(ActorRole.System, Jan1.AddDays(2)))));
        Assert.False(ledger.State.UnallocatedCash["CASH-1"].IsOpen);
        Assert.Equal(ErrorCodes.PaymentReversed, ledger.Refuse(new IdentifyCash("CASH-1", "C1")).Code);
        Assert.Single(AgingReport.AsOf(ledger.History, Jan1.AddDays(1), AgingPolicy.Default).UnallocatedCash);
        Assert.Empty(AgingReport.AsOf(ledger.History, Jan1.AddDays(2), AgingPolicy.Default).UnallocatedCash);
        ledger.AssertNoViolations();
    }
}
