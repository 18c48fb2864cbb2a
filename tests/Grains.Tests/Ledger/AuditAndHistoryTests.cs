namespace ArActors.Grains.Tests.Ledger;

public class AuditAndHistoryTests
{
    private static readonly DateOnly Jan1 = new(2026, 1, 1);

    [Fact]
    public void Every_event_records_who_when_and_why()
    {
        var ledger = new LedgerHarness().Account("C1").Issue("C1", "I1", 100m, Jan1);
        var at = new DateTimeOffset(2026, 1, 20, 14, 30, 0, TimeSpan.FromHours(1));
        var context = new CommandContext(new Actor("anna", ActorRole.TeamLead), at, new DateOnly(2026, 1, 20), "goodwill after late delivery");
        var credited = Assert.IsType<InvoiceCredited>(Assert.Single(ledger.Do(new CreditInvoice("I1", "CN-1", LedgerHarness.Usd(15m), new DateOnly(2026, 1, 19), CreditKind.Adjustment), context)));
        Assert.Equal(new AuditStamp(new Actor("anna", ActorRole.TeamLead), at, "goodwill after late delivery"), credited.Audit);
        Assert.Equal(new DateOnly(2026, 1, 19), credited.Effective);
        Assert.Equal("C1", credited.CustomerId);
        Assert.Equal(85m, ledger.Open("I1"));
        Assert.Empty(ledger.Do(new CreditInvoice("I1", "CN-1", LedgerHarness.Usd(15m), new DateOnly(2026, 1, 19), CreditKind.Adjustment), context));
    }

    [Fact]
    public void An_accounts_history_is_the_ordered_list_of_its_events()
    {
        var ledger = new LedgerHarness().Account("C1").Account("C2").Issue("C1", "I1", 100m, Jan1).Issue("C2", "I2", 5m, Jan1);
        ledger.Pay("C1", "P1", 60m, Jan1.AddDays(3));
        ledger.Do(new ReversePayment("P1"), LedgerHarness.As(ActorRole.System, Jan1.AddDays(5)));
        var history = ledger.History.Where(e => e.CustomerId == "C1").Select(e => e.GetType().Name).ToList();
        Assert.Equal(["AccountOpened", "InvoiceIssued", "PaymentReceived", "PaymentApplied", "AllocationReversed", "PaymentReversed"], history);
        Assert.Equal(ledger.State.Accounts.Count, LedgerRules.Fold(LedgerState.Empty, ledger.History).Accounts.Count);
        Assert.Equal(LedgerFacts.From(ledger.State).Fingerprint(), LedgerFacts.From(LedgerRules.Fold(LedgerState.Empty, ledger.History)).Fingerprint());
    }

    [Fact]
    public void Aging_as_of_past_dates_undoes_later_cash_credits_and_reversals()
    {
        var ledger = new LedgerHarness().Account("C1")
            .Issue("C1", "I1", 100m, Jan1, Jan1.AddDays(30))
            .Issue("C1", "I2", 50m, Jan1.AddDays(10), Jan1.AddDays(40));
        ledger.Do(new CreditInvoice("I1", "CN", LedgerHarness.Usd(10m), Jan1.AddDays(20)), LedgerHarness.As(ActorRole.Collector, Jan1.AddDays(20)));
        ledger.Pay("C1", "P1", 150m, Jan1.AddDays(45), "I1", "I2");
        ledger.Do(new ReversePayment("P1"), LedgerHarness.As(ActorRole.System, Jan1.AddDays(50)));

        AgingReport At(int day) => AgingReport.AsOf(ledger.History, Jan1.AddDays(day), AgingPolicy.Default);

        Assert.Equal(100m, At(5).OpenTotal("USD"));
        Assert.Equal(150m, At(15).OpenTotal("USD"));
        Assert.Equal(140m, At(25).OpenTotal("USD"));
        var day35 = At(35);
        Assert.Equal([("Current", 50m), ("1-30", 90m)], day35.BucketTotals("USD").Where(b => b.Amount != 0).Select(b => (b.Bucket, b.Amount)));
        Assert.Equal(5, day35.Items.Single(i => i.InvoiceNumber == "I1").DaysPastDue);
        Assert.Equal(0m, At(46).OpenTotal("USD"));
        Assert.Equal(10m, At(46).UnappliedCreditByCustomer["C1"].Amount);
        Assert.Equal(140m, At(50).OpenTotal("USD"));
        Assert.False(At(50).UnappliedCreditByCustomer.ContainsKey("C1"));
        Assert.Equal(ledger.State.Invoices.Values.Sum(i => i.OpenAmount.Amount), At(400).OpenTotal("USD"));
    }

    [Fact]
    public void Account_summary_reports_balances_buckets_and_oldest_days_past_due()
    {
        var ledger = new LedgerHarness().Account("C1")
            .Issue("C1", "OLD", 100m, Jan1, Jan1.AddDays(30))
            .Issue("C1", "NEW", 40m, Jan1.AddDays(60), Jan1.AddDays(90));
        ledger.Pay("C1", "P1", 25m, Jan1.AddDays(61), "OLD");
        var asOf = Jan1.AddDays(92);
        var summary = AccountSummary.Compute(ledger.State, "C1", asOf, AgingPolicy.Default);
        Assert.Equal(115m, summary.OpenBalance.Amount);
        Assert.Equal(115m, summary.PastDueBalance.Amount);
        Assert.Equal(62, summary.OldestDaysPastDue);
        Assert.Equal(2, summary.OpenInvoiceCount);
        Assert.Equal([0m, 40m, 0m, 75m, 0m, 0m], summary.Buckets.Select(b => b.Amount));
        Assert.Equal("P1", summary.LastPayment?.PaymentId);
        Assert.Equal(0m, AccountSummary.Compute(ledger.State, "C1", Jan1.AddDays(30), AgingPolicy.Default).PastDueBalance.Amount);
    }

    [Fact]
    public void Invoice_rules_work_on_their_own_for_the_invoice_grain()
    {
        var context = LedgerHarness.As(ActorRole.System);
        var issued = InvoiceRules.Decide(null, new IssueInvoice("C1", "I1", Jan1, LedgerHarness.Usd(100m), PaymentTerms.Net(14)), context).Value;
        var state = issued.Cast<InvoiceEvent>().Aggregate((InvoiceState?)null, InvoiceRules.Evolve)!;
        Assert.Equal(Jan1.AddDays(14), state.DueDate);

        var applied = InvoiceRules.Decide(state, new ApplyAllocation("I1", "P1/I1", "P1", LedgerHarness.Usd(100m), Jan1.AddDays(20)), context).Value;
        state = applied.Cast<InvoiceEvent>().Aggregate(state, InvoiceRules.Evolve);
        Assert.Equal(InvoiceStatus.Paid, state.Status);
        Assert.Equal(6, state.DaysLate);
        Assert.Equal(20, state.DaysToSettle);

        var reversed = InvoiceRules.Decide(state, new ReverseAllocation("I1", "P1/I1"), context with { On = Jan1.AddDays(25) }).Value;
        state = reversed.Cast<InvoiceEvent>().Aggregate(state, InvoiceRules.Evolve);
        Assert.Equal(InvoiceStatus.Open, state.Status);
        Assert.Null(state.SettledOn);
        Assert.Equal(100m, state.OpenAmount.Amount);
        Assert.Empty(InvoiceRules.Decide(state, new ApplyAllocation("I1", "P1/I1", "P1", LedgerHarness.Usd(100m), Jan1.AddDays(20)), context).Value);
        Assert.Equal(ErrorCodes.AllocationConflict, InvoiceRules.Decide(state, new ApplyAllocation("I1", "P1/I1", "P2", LedgerHarness.Usd(100m), Jan1), context).Error?.Code);
    }

    [Fact]
    public void Profile_updates_keep_status_and_refuse_a_currency_change_once_money_moved()
    {
        var ledger = new LedgerHarness().Account("C1");
        ledger.Do(new ChangeAccountStatus("C1", AccountStatus.CreditHold));
        var contact = new Contact("Bo Ledger", "CFO", null, "+1 555 0100", ContactChannel.Phone, DoNotContact.Email | DoNotContact.Sms, []);
        var updated = LedgerHarness.Profile("C1") with { AssignedCollector = "collector-7", Contacts = [contact], Segment = CustomerSegment.LeasingCompany };
        Assert.IsType<AccountProfileUpdated>(Assert.Single(ledger.Do(new UpdateAccountProfile(updated))));
        var account = ledger.State.Accounts["C1"];
        Assert.Equal(("collector-7", AccountStatus.CreditHold, CustomerSegment.LeasingCompany), (account.AssignedCollector, account.Status, account.Segment));
        Assert.Equal(DoNotContact.Email | DoNotContact.Sms, Assert.Single(account.Contacts).DoNotContact);
        Assert.Empty(ledger.Do(new UpdateAccountProfile(updated with { Contacts = [contact with { }] })));

        ledger.Issue("C1", "I1", 10m);
        Assert.Equal(("currency", ErrorCodes.CurrencyMismatch), ledger.Refuse(new UpdateAccountProfile(updated with { Currency = "EUR" })) is var e ? (e.Field, e.Code) : default);
        Assert.Equal(ErrorCodes.UnknownAccount, ledger.Refuse(new UpdateAccountProfile(LedgerHarness.Profile("NOBODY"))).Code);
    }
}
