namespace ArActors.Grains.Tests.WriteOffs;

public class WriteOffAuthorityTests
{
    private static readonly CommandContext Collector = LedgerHarness.As(ActorRole.Collector, id: "col-1");
    private static readonly CommandContext TeamLead = LedgerHarness.As(ActorRole.TeamLead, id: "lead-1");
    private static readonly CommandContext Manager = LedgerHarness.As(ActorRole.Manager, id: "mgr-1");

    private static LedgerHarness Ledger() => new LedgerHarness().Account("C1").Issue("C1", "I1", 10_000m);

    [Fact]
    public void Collector_writes_off_100_at_once()
    {
        var ledger = Ledger();
        var events = ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(100m)), Collector);
        var writtenOff = Assert.IsType<InvoiceWrittenOff>(Assert.Single(events));
        Assert.Equal("col-1", writtenOff.ApprovedBy.Id);
        Assert.Equal(9_900m, ledger.Open("I1"));
        Assert.Equal(WriteOffStatus.Applied, ledger.State.WriteOffs["W1"].Status);
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Collector_asking_for_101_leaves_it_pending_and_the_invoice_untouched()
    {
        var ledger = Ledger();
        var events = ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(101m)), Collector);
        Assert.IsType<WriteOffRequested>(Assert.Single(events));
        Assert.Equal(WriteOffStatus.Pending, ledger.State.WriteOffs["W1"].Status);
        Assert.Equal(10_000m, ledger.Open("I1"));
    }

    [Fact]
    public void Team_lead_approves_a_pending_4000_write_off_which_then_applies()
    {
        var ledger = Ledger();
        ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(4_000m)), Collector);
        var events = ledger.Do(new ApproveWriteOff("W1"), TeamLead);
        Assert.IsType<WriteOffApproved>(events[0]);
        Assert.IsType<InvoiceWrittenOff>(events[1]);
        Assert.Equal(6_000m, ledger.Open("I1"));
        Assert.Equal(WriteOffStatus.Applied, ledger.State.WriteOffs["W1"].Status);
        Assert.Equal("lead-1", ledger.State.WriteOffs["W1"].DecidedBy?.Id);
        Assert.Empty(ledger.Do(new ApproveWriteOff("W1"), TeamLead));
        ledger.AssertNoViolations();
    }

    [Fact]
    public void Collector_cannot_approve_even_within_their_own_limit()
    {
        var ledger = Ledger();
        ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(101m)), Collector);
        var error = ledger.Refuse(new ApproveWriteOff("W1"), LedgerHarness.As(ActorRole.Collector, id: "col-2"));
        Assert.Equal(ErrorCodes.NotAuthorized, error.Code);
        Assert.Equal("actor", error.Field);
        Assert.Equal(WriteOffStatus.Pending, ledger.State.WriteOffs["W1"].Status);
    }

    [Fact]
    public void Team_lead_cannot_approve_above_5000_but_a_manager_approves_anything()
    {
        var ledger = Ledger();
        ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(9_000m)), Collector);
        Assert.Equal(ErrorCodes.NotAuthorized, ledger.Refuse(new ApproveWriteOff("W1"), TeamLead).Code);
        ledger.Do(new ApproveWriteOff("W1"), Manager);
        Assert.Equal(1_000m, ledger.Open("I1"));
    }

    [Fact]
    public void Team_lead_writes_off_5000_directly_and_manager_the_whole_invoice()
    {
        var ledger = Ledger();
        ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(5_000m)), TeamLead);
        Assert.Equal(5_000m, ledger.Open("I1"));
        ledger.Do(new RequestWriteOff("W2", "I1", LedgerHarness.Usd(5_000m)), Manager);
        Assert.Equal(InvoiceStatus.WrittenOff, ledger.Invoice("I1").Status);
        ledger.Pay("C1", "P1", 1m, LedgerHarness.Day0);
        Assert.Equal(1m, ledger.Payment("P1").Unapplied.Amount);
        Assert.Equal(ErrorCodes.InvoiceWrittenOff, ledger.Refuse(new AllocatePayment("A1", "P1", "I1", LedgerHarness.Usd(1m))).Code);
    }

    [Fact]
    public void Rejection_leaves_the_invoice_open_and_cannot_be_approved_afterwards()
    {
        var ledger = Ledger();
        ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(300m)), Collector);
        Assert.Equal(ErrorCodes.NotAuthorized, ledger.Refuse(new RejectWriteOff("W1"), Collector).Code);
        Assert.IsType<WriteOffRejected>(Assert.Single(ledger.Do(new RejectWriteOff("W1"), TeamLead)));
        Assert.Equal(WriteOffStatus.Rejected, ledger.State.WriteOffs["W1"].Status);
        Assert.Equal(10_000m, ledger.Open("I1"));
        Assert.Equal(ErrorCodes.WriteOffNotPending, ledger.Refuse(new ApproveWriteOff("W1"), Manager).Code);
    }

    [Fact]
    public void Approval_is_refused_when_payments_since_the_request_left_less_open()
    {
        var ledger = Ledger();
        ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(4_000m)), Collector);
        ledger.Pay("C1", "P1", 7_000m, LedgerHarness.Day0, "I1");
        Assert.Equal(ErrorCodes.ExceedsOpenAmount, ledger.Refuse(new ApproveWriteOff("W1"), Manager).Code);
        Assert.Equal(WriteOffStatus.Pending, ledger.State.WriteOffs["W1"].Status);
    }

    [Fact]
    public void Limits_are_configurable_per_role()
    {
        var strict = WriteOffPolicy.Default with { Limits = WriteOffPolicy.Default.Limits.SetItem(ActorRole.Collector, 10m) };
        var ledger = Ledger();
        var context = Collector with { WriteOffPolicy = strict };
        Assert.IsType<WriteOffRequested>(Assert.Single(ledger.Do(new RequestWriteOff("W1", "I1", LedgerHarness.Usd(50m)), context)));
    }
}
