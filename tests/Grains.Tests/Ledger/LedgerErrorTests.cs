namespace ArActors.Grains.Tests.Ledger;

/// <summary>Bad commands are refused with field + code, and the harness proves they changed nothing.</summary>
public class LedgerErrorTests
{
    private static readonly DateOnly Day0 = LedgerHarness.Day0;

    private static LedgerHarness Ledger() => new LedgerHarness().Account("C1").Account("C2").Account("EU", "EUR")
        .Issue("C1", "I1", 100m).Issue("C2", "I2", 50m);

    [Fact]
    public void Unknown_account_is_refused()
    {
        var error = Ledger().Refuse(new IssueInvoice("NOBODY", "I9", Day0, LedgerHarness.Usd(1m), PaymentTerms.Net(30)));
        Assert.Equal(("customerId", ErrorCodes.UnknownAccount), (error.Field, error.Code));
        Assert.Equal(ErrorCodes.UnknownAccount, Ledger().Refuse(new ReceivePayment("NOBODY", new Payment("P", LedgerHarness.Usd(1m), Day0, PaymentMethod.Card, []))).Code);
    }

    [Fact]
    public void Unknown_invoice_is_refused()
    {
        var ledger = Ledger();
        Assert.Equal(ErrorCodes.UnknownInvoice, ledger.Refuse(new CreditInvoice("NOPE", "CN1", LedgerHarness.Usd(1m), Day0)).Code);
        ledger.Pay("C1", "P1", 10m, Day0, "I1");
        ledger.Do(new DeallocatePayment("P1", "P1/I1"));
        var error = ledger.Refuse(new AllocatePayment("A1", "P1", "NOPE", LedgerHarness.Usd(1m)));
        Assert.Equal(("invoiceNumber", ErrorCodes.UnknownInvoice), (error.Field, error.Code));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Non_positive_amounts_are_refused(decimal amount)
    {
        var ledger = Ledger();
        Assert.Equal(ErrorCodes.NonPositiveAmount, ledger.Refuse(new IssueInvoice("C1", "I9", Day0, LedgerHarness.Usd(amount), PaymentTerms.Net(30))).Code);
        Assert.Equal(ErrorCodes.NonPositiveAmount, ledger.Refuse(new ReceivePayment("C1", new Payment("P", LedgerHarness.Usd(amount), Day0, PaymentMethod.Card, []))).Code);
        Assert.Equal(ErrorCodes.NonPositiveAmount, ledger.Refuse(new CreditInvoice("I1", "CN", LedgerHarness.Usd(amount), Day0)).Code);
        Assert.Equal(ErrorCodes.NonPositiveAmount, ledger.Refuse(new RequestWriteOff("W", "I1", LedgerHarness.Usd(amount))).Code);
    }

    [Fact]
    public void Currency_mismatch_is_refused_with_both_currencies_in_the_message()
    {
        var ledger = Ledger();
        var error = ledger.Refuse(new ReceivePayment("C1", new Payment("P", new Grains.Money(10m, "EUR"), Day0, PaymentMethod.Card, [])));
        Assert.Equal(("payment.amount", ErrorCodes.CurrencyMismatch), (error.Field, error.Code));
        Assert.Contains("EUR 10.00", error.Message, StringComparison.Ordinal);
        Assert.Contains("USD", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.CurrencyMismatch, ledger.Refuse(new CreditInvoice("I1", "CN", new Grains.Money(1m, "EUR"), Day0)).Code);
        Assert.Equal(ErrorCodes.CurrencyMismatch, ledger.Refuse(new IssueInvoice("EU", "I9", Day0, LedgerHarness.Usd(1m), PaymentTerms.Net(30))).Code);
    }

    [Fact]
    public void Allocating_more_than_the_payment_holds_or_the_invoice_owes_is_refused()
    {
        var ledger = Ledger().Issue("C1", "I3", 500m);
        ledger.Pay("C1", "P1", 200m, Day0, "I1");
        Assert.Equal(100m, ledger.Payment("P1").Unapplied.Amount);
        Assert.Equal(ErrorCodes.ExceedsPaymentUnapplied, ledger.Refuse(new AllocatePayment("A1", "P1", "I3", LedgerHarness.Usd(100.01m))).Code);
        ledger.Do(new DeallocatePayment("P1", "P1/I1"));
        var error = ledger.Refuse(new AllocatePayment("A2", "P1", "I1", LedgerHarness.Usd(100.01m)));
        Assert.Equal(("amount", ErrorCodes.ExceedsOpenAmount), (error.Field, error.Code));
    }

    [Fact]
    public void Paying_a_cancelled_or_written_off_invoice_is_refused()
    {
        var ledger = Ledger().Issue("C1", "I3", 30m).Issue("C1", "I4", 30m);
        ledger.Do(new CancelInvoice("I3"));
        Assert.Equal(InvoiceStatus.Cancelled, ledger.Invoice("I3").Status);
        ledger.Do(new RequestWriteOff("W1", "I4", LedgerHarness.Usd(30m)));
        ledger.Pay("C1", "P1", 100m, Day0, "I1");
        ledger.Do(new DeallocatePayment("P1", "P1/I1"));
        Assert.Equal(ErrorCodes.InvoiceCancelled, ledger.Refuse(new AllocatePayment("A1", "P1", "I3", LedgerHarness.Usd(1m))).Code);
        Assert.Equal(ErrorCodes.InvoiceWrittenOff, ledger.Refuse(new AllocatePayment("A2", "P1", "I4", LedgerHarness.Usd(1m))).Code);
    }

    [Fact]
    public void Cash_of_one_account_cannot_pay_another_accounts_invoice()
    {
        var ledger = Ledger();
        ledger.Pay("C1", "P1", 500m, Day0, "I1");
        Assert.Equal(ErrorCodes.AccountMismatch, ledger.Refuse(new AllocatePayment("A1", "P1", "I2", LedgerHarness.Usd(1m))).Code);
    }

    [Fact]
    public void Duplicate_invoice_number_is_refused_but_an_identical_retry_is_a_no_op()
    {
        var ledger = Ledger();
        var error = ledger.Refuse(new IssueInvoice("C1", "I1", Day0, LedgerHarness.Usd(101m), PaymentTerms.Net(30)));
        Assert.Equal(("invoiceNumber", ErrorCodes.DuplicateInvoiceNumber), (error.Field, error.Code));
        Assert.Equal(ErrorCodes.DuplicateInvoiceNumber, ledger.Refuse(new IssueInvoice("C2", "I1", Day0, LedgerHarness.Usd(100m), PaymentTerms.Net(30))).Code);
        Assert.Empty(ledger.Do(new IssueInvoice("C1", "I1", Day0, LedgerHarness.Usd(100m), PaymentTerms.Net(30))));
    }

    [Fact]
    public void Cancelling_an_invoice_with_cash_on_it_is_refused()
    {
        var ledger = Ledger();
        ledger.Pay("C1", "P1", 10m, Day0, "I1");
        Assert.Equal(ErrorCodes.InvoiceHasActivity, ledger.Refuse(new CancelInvoice("I1")).Code);
    }

    [Fact]
    public void Every_change_needs_an_actor_and_a_reason()
    {
        var ledger = Ledger();
        var noReason = LedgerHarness.As(ActorRole.Collector) with { Reason = "" };
        Assert.Equal(("reason", ErrorCodes.Required), ledger.Refuse(new CreditInvoice("I1", "CN", LedgerHarness.Usd(1m), Day0), noReason) is var e ? (e.Field, e.Code) : default);
        var noActor = LedgerHarness.As(ActorRole.Collector) with { Actor = new Actor("", ActorRole.Collector) };
        Assert.Equal(ErrorCodes.Required, ledger.Refuse(new CreditInvoice("I1", "CN", LedgerHarness.Usd(1m), Day0), noActor).Code);
    }

    [Fact]
    public void Invoices_cannot_be_issued_to_closed_accounts()
    {
        var ledger = Ledger();
        ledger.Do(new ChangeAccountStatus("C1", AccountStatus.Closed));
        Assert.Equal(ErrorCodes.AccountClosed, ledger.Refuse(new IssueInvoice("C1", "I9", Day0, LedgerHarness.Usd(1m), PaymentTerms.Net(30))).Code);
    }

    [Fact]
    public void Account_needs_a_valid_IANA_time_zone_and_currency()
    {
        var ledger = new LedgerHarness();
        var error = ledger.Refuse(new OpenAccount(LedgerHarness.Profile("C1") with { TimeZone = "Mars/Olympus" }));
        Assert.Equal(("timeZone", ErrorCodes.Invalid), (error.Field, error.Code));
        Assert.Equal(ErrorCodes.InvalidCurrency, ledger.Refuse(new OpenAccount(LedgerHarness.Profile("C1") with { Currency = "usd" })).Code);
    }

    [Fact]
    public void An_allocation_id_belongs_to_one_payment_only()
    {
        var ledger = Ledger().Issue("C1", "I3", 500m);
        ledger.Pay("C1", "P1", 10m, Day0, "NONE-MATCH");
        ledger.Pay("C1", "P2", 10m, Day0, "NONE-MATCH");
        ledger.Do(new DeallocatePayment("P1", "P1/I1"));
        ledger.Do(new DeallocatePayment("P2", "P2/I1"));
        ledger.Do(new AllocatePayment("A1", "P1", "I3", LedgerHarness.Usd(5m)));
        var error = ledger.Refuse(new AllocatePayment("A1", "P2", "I1", LedgerHarness.Usd(5m)));
        Assert.Equal(("allocationId", ErrorCodes.AllocationConflict), (error.Field, error.Code));
        Assert.Equal(ErrorCodes.Invalid, ledger.Refuse(new AllocatePayment("P2/I3", "P2", "I3", LedgerHarness.Usd(5m))).Code);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Credit_dated_before_the_invoice_or_after_today_is_refused()
    {
        var ledger = Ledger();
        Assert.Equal(("creditDate", ErrorCodes.Invalid), ledger.Refuse(new CreditInvoice("I1", "CN", LedgerHarness.Usd(1m), Day0.AddDays(-1))) is var e ? (e.Field, e.Code) : default);
        Assert.Equal(ErrorCodes.Invalid, ledger.Refuse(new CreditInvoice("I1", "CN", LedgerHarness.Usd(1m), Day0.AddDays(1))).Code);
    }

    [Fact]
    public void Reopening_an_account_with_an_equal_profile_is_a_no_op_and_a_different_one_is_refused()
    {
        var ledger = Ledger();
        Assert.Empty(ledger.Do(new OpenAccount(LedgerHarness.Profile("C1"))));
        Assert.Equal(ErrorCodes.DuplicateAccount, ledger.Refuse(new OpenAccount(LedgerHarness.Profile("C1") with { Name = "Someone else" })).Code);
    }

    [Fact]
    public void A_default_result_is_not_a_success()
    {
        var result = default(Result<int>);
        Assert.False(result.IsOk);
        Assert.Equal("uninitialized", result.Error?.Code);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }
}
