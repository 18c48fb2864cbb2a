using ArActors.Grains.Workflow;

namespace ArActors.Grains.Tests.Actors;

/// <summary>The account grain runs the ledger rules: cash, reversals, write-off authority, refusals, retries, read models.</summary>
public sealed class AccountGrainTests
{
    private static readonly DateOnly Jan5 = new(2026, 1, 5);

    [Fact]
    public async Task A_reversal_reopens_exactly_what_the_payment_paid_and_nothing_else()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var c = LedgerCluster.NewId("REV");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 100m, Jan5, Jan5.AddDays(10));
        await ledger.IssueAsync(c, "INV-2", 50m, Jan5, Jan5.AddDays(20));
        await ledger.IssueAsync(c, "INV-3", 70m, Jan5, Jan5.AddDays(30));

        // No references, no exact match: oldest due first, 100 to INV-1 and 30 to INV-2.
        await ledger.PayAsync(c, "PAY-1", 130m, Jan5);
        await ledger.PayAsync(c, "PAY-2", 20m, Jan5, "INV-2");
        Assert.Equal([0m, 0m, 70m], await OpenAmounts(ledger, c));

        var reversal = LedgerCluster.Accepted(await account.ReversePayment(new ReversePayment("PAY-1"), LedgerCluster.Collector));

        Assert.Equal([100m, 30m, 70m], await OpenAmounts(ledger, c));
        var reversed = reversal.Events.OfType<AllocationReversed>().Select(r => (r.InvoiceNumber, r.Amount.Amount)).OrderBy(r => r.InvoiceNumber).ToList();
        Assert.Equal([("INV-1", 100m), ("INV-2", 30m)], reversed);
        Assert.IsType<PaymentReversed>(reversal.Events[^1]);
        var ledgerState = await account.GetLedger();
        Assert.Equal(20m, ledgerState.Payments["PAY-2"].AppliedTotal);
        Assert.Equal(0m, reversal.Summary!.UnappliedCredit.Amount);
        Assert.Equal(200m, reversal.Summary.OpenBalance.Amount);

        // The invoice grains got the reopened amounts.
        Assert.Equal((InvoiceStatus.Open, 100m), await InvoiceGrainState(ledger, c, "INV-1"));
        Assert.Equal((InvoiceStatus.PartiallyPaid, 30m), await InvoiceGrainState(ledger, c, "INV-2"));

        // A retried reversal commits nothing more.
        var retry = LedgerCluster.Accepted(await account.ReversePayment(new ReversePayment("PAY-1"), LedgerCluster.Collector));
        Assert.True(retry.Unchanged);
        Assert.Equal([100m, 30m, 70m], await OpenAmounts(ledger, c));
        Assert.Empty(InvariantChecker.Check(await account.GetLedger()));
    }

    [Fact]
    public async Task A_write_off_above_collector_authority_waits_is_refused_to_a_collector_and_applied_when_a_manager_approves()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var c = LedgerCluster.NewId("WO");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 8_000m, Jan5, Jan5.AddDays(30));

        var within = LedgerCluster.Accepted(await account.RequestWriteOff(new RequestWriteOff("WO-1", "INV-1", LedgerCluster.Usd(80m)), LedgerCluster.Collector));
        Assert.IsType<InvoiceWrittenOff>(Assert.Single(within.Events));

        var pending = LedgerCluster.Accepted(await account.RequestWriteOff(new RequestWriteOff("WO-2", "INV-1", LedgerCluster.Usd(6_000m)), LedgerCluster.Collector));
        Assert.IsType<WriteOffRequested>(Assert.Single(pending.Events));
        Assert.Equal(7_920m, (await ledger.Invoice(c, "INV-1").Get())!.OpenAmount.Amount);

        var byCollector = await account.ApproveWriteOff(new ApproveWriteOff("WO-2"), LedgerCluster.Collector);
        Assert.Equal(("actor", ErrorCodes.NotAuthorized), (byCollector.Error!.Field, byCollector.Error.Code));
        var byTeamLead = await account.ApproveWriteOff(new ApproveWriteOff("WO-2"), LedgerCluster.TeamLead);
        Assert.Equal(ErrorCodes.NotAuthorized, byTeamLead.Error!.Code);
        Assert.Equal(WriteOffStatus.Pending, (await account.GetLedger()).WriteOffs["WO-2"].Status);
        Assert.Equal(7_920m, (await ledger.Invoice(c, "INV-1").Get())!.OpenAmount.Amount);

        var approved = LedgerCluster.Accepted(await account.ApproveWriteOff(new ApproveWriteOff("WO-2"), LedgerCluster.Manager));
        Assert.Equal([typeof(WriteOffApproved), typeof(InvoiceWrittenOff)], approved.Events.Select(e => e.GetType()));
        Assert.Equal("mgr-1", approved.Events[0].Audit.Actor.Id);
        Assert.Equal(1_920m, (await ledger.Invoice(c, "INV-1").Get())!.OpenAmount.Amount);
        Assert.True(LedgerCluster.Accepted(await account.ApproveWriteOff(new ApproveWriteOff("WO-2"), LedgerCluster.Manager)).Unchanged);
        Assert.Equal(ErrorCodes.WriteOffNotPending, (await account.RejectWriteOff(new RejectWriteOff("WO-2"), LedgerCluster.Manager)).Error!.Code);

        // Rejected requests move nothing.
        LedgerCluster.Accepted(await account.RequestWriteOff(new RequestWriteOff("WO-3", "INV-1", LedgerCluster.Usd(1_000m)), LedgerCluster.Collector));
        var rejected = LedgerCluster.Accepted(await account.RejectWriteOff(new RejectWriteOff("WO-3"), LedgerCluster.TeamLead));
        Assert.IsType<WriteOffRejected>(Assert.Single(rejected.Events));
        Assert.Equal(1_920m, (await ledger.Invoice(c, "INV-1").Get())!.OpenAmount.Amount);
        Assert.Empty(InvariantChecker.Check(await account.GetLedger()));
    }

    [Fact]
    public async Task Bad_commands_are_refused_with_field_and_code_and_change_nothing()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var c = LedgerCluster.NewId("BAD");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 100m, Jan5, Jan5.AddDays(30));
        await ledger.IssueAsync(c, "INV-2", 40m, Jan5, Jan5.AddDays(30));
        LedgerCluster.Accepted(await account.CancelInvoice(new CancelInvoice("INV-2"), LedgerCluster.Collector));
        await ledger.PayAsync(c, "PAY-1", 150m, Jan5, "INV-1");
        var eur = new Grains.Money(10m, "EUR");

        var cases = new (string Name, Func<Task<CommandResult>> Send, string Field, string Code)[]
        {
            ("unknown account", () => ledger.Account("NOBODY-" + c).IssueInvoice(
                new IssueInvoice("NOBODY-" + c, "X-1", Jan5, LedgerCluster.Usd(5m), PaymentTerms.Net(30)), LedgerCluster.Collector), "customerId", ErrorCodes.UnknownAccount),
            ("other account's command", () => account.IssueInvoice(
                new IssueInvoice("SOMEONE-ELSE", "X-1", Jan5, LedgerCluster.Usd(5m), PaymentTerms.Net(30)), LedgerCluster.Collector), "customerId", ErrorCodes.AccountMismatch),
            ("negative invoice", () => account.IssueInvoice(
                new IssueInvoice(c, "X-2", Jan5, LedgerCluster.Usd(-5m), PaymentTerms.Net(30)), LedgerCluster.Collector), "amount", ErrorCodes.NonPositiveAmount),
            ("negative payment", () => account.ReceivePayment(new ReceivePayment(c,
                new Payment("PAY-NEG", LedgerCluster.Usd(-1m), Jan5, PaymentMethod.Card, [])), LedgerCluster.Collector), "payment.amount", ErrorCodes.NonPositiveAmount),
            ("currency mismatch", () => account.ReceivePayment(new ReceivePayment(c,
                new Payment("PAY-EUR", eur, Jan5, PaymentMethod.Card, [])), LedgerCluster.Collector), "payment.amount", ErrorCodes.CurrencyMismatch),
            ("more than the payment holds", () => account.AllocatePayment(
                new AllocatePayment("M-1", "PAY-1", "INV-1", LedgerCluster.Usd(60m)), LedgerCluster.Collector), "amount", ErrorCodes.ExceedsPaymentUnapplied),
            ("paying a cancelled invoice", () => account.AllocatePayment(
                new AllocatePayment("M-2", "PAY-1", "INV-2", LedgerCluster.Usd(10m)), LedgerCluster.Collector), "invoiceNumber", ErrorCodes.InvoiceCancelled),
            ("credit above open", () => account.CreditInvoice(
                new CreditInvoice("INV-1", "CN-1", LedgerCluster.Usd(1m), Jan5), LedgerCluster.Collector), "amount", ErrorCodes.ExceedsOpenAmount),
            ("unknown payment", () => account.ReversePayment(new ReversePayment("PAY-404"), LedgerCluster.Collector), "paymentId", ErrorCodes.UnknownPayment),
            ("same number, other invoice", () => account.IssueInvoice(
                new IssueInvoice(c, "INV-1", Jan5, LedgerCluster.Usd(999m), PaymentTerms.Net(30)), LedgerCluster.Collector), "invoiceNumber", ErrorCodes.DuplicateInvoiceNumber),
            ("slash in a customer id", () => ledger.Account(c + "/X").OpenAccount(new OpenAccount(LedgerCluster.Profile(c + "/X")), LedgerCluster.Collector),
                "profile.customerId", ErrorCodes.Invalid),
            ("no reason", () => account.CancelInvoice(new CancelInvoice("INV-1"), LedgerCluster.Collector with { Reason = " " }), "reason", ErrorCodes.Required),
            ("no actor", () => account.CancelInvoice(new CancelInvoice("INV-1"), null!), "actor", ErrorCodes.Required),
        };

        foreach (var (name, send, field, code) in cases)
        {
            var before = await Observe(ledger, c);
            var result = await send();
            Assert.False(result.Accepted, name);
            Assert.True((field, code) == (result.Error!.Field, result.Error.Code), $"{name}: expected {field}/{code}, got {result.Error}");
            Assert.Empty(result.Events);
            Assert.Equal(before, await Observe(ledger, c));
        }

        Assert.Null(await ledger.Account("NOBODY-" + c).GetProfile());
    }

    [Fact]
    public async Task Every_command_retried_commits_nothing_new_and_answers_the_same_summary()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var c = LedgerCluster.NewId("RETRY");
        var account = ledger.Account(c);
        var m = LedgerCluster.Collector;
        var profile = LedgerCluster.Profile(c);
        var cash = new Payment("CASH-1", LedgerCluster.Usd(25m), Jan5, PaymentMethod.Cheque, []);
        var commands = new (string Name, Func<Task<CommandResult>> Send)[]
        {
            ("open", () => account.OpenAccount(new OpenAccount(profile), m)),
            ("update profile", () => account.UpdateProfile(new UpdateAccountProfile(profile with { AssignedCollector = "col-2" }), m)),
            ("status", () => account.ChangeStatus(new ChangeAccountStatus(c, AccountStatus.CreditHold), m)),
            ("issue 1", () => account.IssueInvoice(new IssueInvoice(c, "INV-1", Jan5, LedgerCluster.Usd(100m), PaymentTerms.Net(30)), m)),
            ("issue 2", () => account.IssueInvoice(new IssueInvoice(c, "INV-2", Jan5, LedgerCluster.Usd(200m), PaymentTerms.Net(45), Refs: new ExternalRefs(PurchaseOrder: "PO-9")), m)),
            ("issue 3", () => account.IssueInvoice(new IssueInvoice(c, "INV-3", Jan5, LedgerCluster.Usd(30m), PaymentTerms.EndOfMonthPlus(10)), m)),
            ("cancel", () => account.CancelInvoice(new CancelInvoice("INV-3"), m)),
            ("dispute", () => account.DisputeInvoice(new DisputeInvoice("INV-2"), m)),
            ("resolve", () => account.ResolveDispute(new ResolveDispute("INV-2"), m)),
            ("pay", () => account.ReceivePayment(new ReceivePayment(c, new Payment("PAY-1", LedgerCluster.Usd(250m), Jan5, PaymentMethod.BankTransfer, ["PO-9"])), m)),
            ("allocate", () => account.AllocatePayment(new AllocatePayment("A-1", "PAY-1", "INV-1", LedgerCluster.Usd(40m)), m)),
            ("reallocate", () => account.ReallocatePayment(new ReallocatePayment("PAY-1", "A-1", "A-2", "INV-1", LedgerCluster.Usd(30m)), m)),
            ("deallocate", () => account.DeallocatePayment(new DeallocatePayment("PAY-1", "A-2"), m)),
            ("credit", () => account.CreditInvoice(new CreditInvoice("INV-1", "CN-1", LedgerCluster.Usd(10m), Jan5, CreditKind.Adjustment), m)),
            ("request write-off", () => account.RequestWriteOff(new RequestWriteOff("WO-1", "INV-1", LedgerCluster.Usd(50m)), m)),
            ("request big write-off", () => account.RequestWriteOff(new RequestWriteOff("WO-2", "INV-1", LedgerCluster.Usd(40m)), LedgerCluster.Collector with { Actor = new Actor("sys", ActorRole.System) })),
            ("approve", () => account.ApproveWriteOff(new ApproveWriteOff("WO-2"), LedgerCluster.Manager)),
            ("receive unidentified", () => ledger.Suspense.Receive(new ReceiveUnidentifiedCash(cash), m)),
            ("allocate unidentified", () => ledger.Suspense.Allocate(new IdentifyCash("CASH-1", c), m)),
            ("reverse", () => account.ReversePayment(new ReversePayment("PAY-1"), m)),
        };

        foreach (var (name, send) in commands)
        {
            var first = await send();
            Assert.True(first.Accepted, $"{name}: {first.Error}");
            Assert.False(first.Events.IsEmpty, $"{name} committed nothing the first time");
            var before = await Observe(ledger, c);
            var suspenseBefore = LedgerFacts.From(await ledger.Suspense.GetLedger()).Fingerprint();

            var retry = await send();

            Assert.True(retry.Accepted, $"{name} retry: {retry.Error}");
            Assert.True(retry.Unchanged, $"{name} retry committed {retry.Events.Length} events");
            Assert.Equal(LedgerCluster.Describe(first.Summary), LedgerCluster.Describe(retry.Summary));
            Assert.Equal(before, await Observe(ledger, c));
            Assert.Equal(suspenseBefore, LedgerFacts.From(await ledger.Suspense.GetLedger()).Fingerprint());
        }

        Assert.Empty(InvariantChecker.Check(await ledger.WholeLedgerAsync([c])));
    }

    [Fact]
    public async Task Summary_invoices_and_history_agree_with_the_pure_read_models_and_say_who_when_and_why()
    {
        await using var ledger = await LedgerCluster.StartAsync();
        var c = LedgerCluster.NewId("SUM");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 100m, Jan5, Jan5);
        await ledger.IssueAsync(c, "INV-2", 250m, Jan5, Jan5.AddDays(30));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(40));
        await ledger.PayAsync(c, "PAY-1", 60m, ledger.Today(), "INV-2");
        LedgerCluster.Accepted(await account.CreditInvoice(new CreditInvoice("INV-1", "CN-1", LedgerCluster.Usd(15m), ledger.Today()),
            new CommandMeta(new Actor("lead-7", ActorRole.TeamLead), "damaged goods")));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(5));

        var today = ledger.Today();
        var state = await account.GetLedger();
        var summary = (await account.GetSummary())!;
        Assert.Equal(LedgerCluster.Describe(AccountSummary.Compute(state, c, today, AgingPolicy.Default)), LedgerCluster.Describe(summary));
        Assert.Equal((275m, 85m, 45), (summary.OpenBalance.Amount, summary.Buckets.Single(b => b.Bucket == "31-60").Amount, summary.OldestDaysPastDue));

        var history = await account.GetHistory();
        Assert.Equal([typeof(AccountOpened), typeof(InvoiceIssued), typeof(InvoiceIssued), typeof(PaymentReceived), typeof(PaymentApplied), typeof(InvoiceCredited)],
            history.Select(e => e.GetType()));
        var credit = history[^1];
        Assert.Equal(("lead-7", ActorRole.TeamLead, "damaged goods"), (credit.Audit.Actor.Id, credit.Audit.Actor.Role, credit.Audit.Reason));
        Assert.Equal(new DateTimeOffset(2026, 2, 14, 9, 0, 0, TimeSpan.Zero), credit.Audit.At);
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.Audit.At <= p.Second.Audit.At));

        // As of a past date, rebuilt from history: before the payment and the credit, both invoices fully open.
        var asOf = await account.GetSummaryAsOf(Jan5.AddDays(20));
        Assert.Equal(LedgerCluster.Describe(AccountSummary.AsOf(history, c, Jan5.AddDays(20), AgingPolicy.Default)), LedgerCluster.Describe(asOf));
        Assert.Equal((350m, 100m), (asOf!.OpenBalance.Amount, asOf.PastDueBalance.Amount));

        var invoices = await account.GetInvoices();
        Assert.Equal(["INV-1", "INV-2"], invoices.Select(i => i.Number));
        Assert.Equal(invoices, await Task.WhenAll(invoices.Select(async i => (await ledger.Invoice(c, i.Number).Get())!)));
    }

    [Fact]
    public async Task When_pushing_to_an_invoice_grain_fails_the_call_fails_after_committing_and_the_retry_repairs_the_invoice()
    {
        var store = new FaultyStore();
        await using var ledger = await LedgerCluster.StartAsync(() => store);
        var c = LedgerCluster.NewId("PUSH");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 100m, Jan5, Jan5.AddDays(30));
        var pay = new ReceivePayment(c, new Payment("PAY-1", LedgerCluster.Usd(100m), Jan5, PaymentMethod.DirectDebit, ["INV-1"]));

        store.FailWritesOf = "invoice";
        var failure = await Assert.ThrowsAsync<IOException>(() => account.ReceivePayment(pay, LedgerCluster.Collector));
        Assert.Contains("injected", failure.Message, StringComparison.Ordinal);

        // The ledger change is committed; the invoice grain has not taken it yet.
        Assert.Equal(0m, (await account.GetLedger()).Invoices["INV-1"].OpenAmount.Amount);
        Assert.Equal((InvoiceStatus.Open, 100m), await InvoiceGrainState(ledger, c, "INV-1"));
        var published = (await ledger.TopicAsync(LedgerTopics.Account(c))).Count;

        store.FailWritesOf = null;
        var retry = LedgerCluster.Accepted(await account.ReceivePayment(pay, LedgerCluster.Collector));

        Assert.True(retry.Unchanged);
        Assert.Equal(published, (await ledger.TopicAsync(LedgerTopics.Account(c))).Count);
        Assert.Equal((InvoiceStatus.Paid, 0m), await InvoiceGrainState(ledger, c, "INV-1"));
        Assert.Empty(await ledger.Cluster.Store.ReadForGrainAsync("invoice", AccountGrain.InvoiceKey(c, "INV-1")));

        // And it stays repaired across a restart (the invoice grain's row, not just its memory, was written).
        await ledger.Cluster.RestartSiloAsync();
        Assert.Equal((InvoiceStatus.Paid, 0m), await InvoiceGrainState(ledger, c, "INV-1"));
    }

    [Fact]
    public async Task A_failing_invoice_push_does_not_hold_back_the_worklist_push_of_the_same_command()
    {
        var store = new FaultyStore();
        await using var ledger = await LedgerCluster.StartAsync(() => store);
        var c = LedgerCluster.NewId("BOTH");
        var account = await ledger.OpenAsync(c);
        var today = ledger.Today();
        await ledger.IssueAsync(c, "INV-1", 100m, today.AddDays(-60), today.AddDays(-30));
        var worklist = ledger.Cluster.GetGrain<ICollectorQueueGrain>("col-1");
        Assert.Equal(100m, (await worklist.Top(10, null)).Entries.Single(e => e.CustomerId == c).Inputs.PastDueAmount);

        store.FailWritesOf = "invoice";
        var pay = new ReceivePayment(c, new Payment("PAY-1", LedgerCluster.Usd(40m), today, PaymentMethod.BankTransfer, ["INV-1"]));
        await Assert.ThrowsAsync<IOException>(() => account.ReceivePayment(pay, LedgerCluster.Collector));

        // The pushes run side by side: the worklist took the committed change although the invoice grain did not.
        Assert.Equal(60m, (await worklist.Top(10, null)).Entries.Single(e => e.CustomerId == c).Inputs.PastDueAmount);
        Assert.Equal((InvoiceStatus.Open, 100m), await InvoiceGrainState(ledger, c, "INV-1"));

        store.FailWritesOf = null;
        Assert.True(LedgerCluster.Accepted(await account.ReceivePayment(pay, LedgerCluster.Collector)).Unchanged);
        Assert.Equal((InvoiceStatus.PartiallyPaid, 60m), await InvoiceGrainState(ledger, c, "INV-1"));
        Assert.Equal(60m, (await worklist.Top(10, null)).Entries.Single(e => e.CustomerId == c).Inputs.PastDueAmount);
    }

    [Fact]
    public async Task A_failed_push_is_also_repaired_by_the_account_itself_when_nobody_retries()
    {
        var store = new FaultyStore();
        await using var ledger = await LedgerCluster.StartAsync(() => store);
        var c = LedgerCluster.NewId("HEAL");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 100m, Jan5, Jan5.AddDays(30));

        store.FailWritesOf = "invoice";
        await Assert.ThrowsAsync<IOException>(() => account.CreditInvoice(new CreditInvoice("INV-1", "CN-1", LedgerCluster.Usd(30m), Jan5), LedgerCluster.Collector));
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(1));
        Assert.Equal((InvoiceStatus.Open, 100m), await InvoiceGrainState(ledger, c, "INV-1"));

        store.FailWritesOf = null;
        await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromMinutes(1));
        Assert.Equal((InvoiceStatus.PartiallyPaid, 70m), await InvoiceGrainState(ledger, c, "INV-1"));
        await ledger.Cluster.RestartSiloAsync();
        Assert.Equal((InvoiceStatus.PartiallyPaid, 70m), await InvoiceGrainState(ledger, c, "INV-1"));
    }

    [Fact]
    public async Task When_the_account_write_fails_nothing_is_published_and_the_retry_publishes_the_events_once()
    {
        var store = new FaultyStore();
        await using var ledger = await LedgerCluster.StartAsync(() => store);
        var c = LedgerCluster.NewId("WRITE");
        var account = await ledger.OpenAsync(c);
        await ledger.IssueAsync(c, "INV-1", 100m, Jan5, Jan5.AddDays(30));
        var pay = new ReceivePayment(c, new Payment("PAY-1", LedgerCluster.Usd(60m), Jan5, PaymentMethod.Card, ["INV-1"]));
        var before = await Observe(ledger, c);

        store.FailWritesOf = "account";
        await Assert.ThrowsAsync<IOException>(() => account.ReceivePayment(pay, LedgerCluster.Collector));

        Assert.Equal(before, await Observe(ledger, c));
        store.FailWritesOf = null;
        var retry = LedgerCluster.Accepted(await account.ReceivePayment(pay, LedgerCluster.Collector));
        Assert.Equal([typeof(PaymentReceived), typeof(PaymentApplied)], retry.Events.Select(e => e.GetType()));
        var history = await account.GetHistory();
        Assert.Single(history.OfType<PaymentReceived>());
        Assert.Single(history.OfType<PaymentApplied>());
        Assert.Equal(40m, (await account.GetSummaryAsOf(Jan5))!.OpenBalance.Amount);
    }

    private static async Task<decimal[]> OpenAmounts(LedgerCluster ledger, string c) =>
        [.. (await ledger.Account(c).GetInvoices()).OrderBy(i => i.Number).Select(i => i.OpenAmount.Amount)];

    private static async Task<(InvoiceStatus, decimal)> InvoiceGrainState(LedgerCluster ledger, string c, string number) =>
        (await ledger.Invoice(c, number).Get()) is { } s ? (s.Status, s.OpenAmount.Amount) : throw new InvalidOperationException("not synced");

    /// <summary>Everything a change would touch: the money facts, the history and the published events.</summary>
    private static async Task<(string Facts, int History, int Published)> Observe(LedgerCluster ledger, string c) =>
        (LedgerFacts.From(await ledger.Account(c).GetLedger()).Fingerprint()
            + "\n" + string.Join(",", (await ledger.Account(c).GetLedger()).Accounts.Values.Select(a => a.ToString())),
        (await ledger.Account(c).GetHistory()).Length,
        (await ledger.TopicAsync(LedgerTopics.Ledger)).Count);
}
