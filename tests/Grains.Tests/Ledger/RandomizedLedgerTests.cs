using Xunit.Abstractions;

namespace ArActors.Grains.Tests.Ledger;

/// <summary>
/// 10,000 seeded random commands (valid, invalid and retried) against the pure ledger. After every command: a refusal
/// must leave the state untouched, an expected refusal must carry the expected code, a retry must decide to nothing;
/// every 25 commands the invariant checker must find nothing. At the end, aging rebuilt from history for past days
/// must equal the state the ledger actually had at the end of those days.
/// </summary>
public class RandomizedLedgerTests(ITestOutputHelper output)
{
    private const int Commands = 10_000;
    private const int CommandsPerDay = 40;
    private static readonly string[] Customers = ["C0", "C1", "C2", "C3", "C4"];

    private enum Expect
    {
        Accept,
        Refuse,
        Either,
        NoOp,
    }

    private sealed record Step(string Kind, LedgerCommand Command, CommandContext Context, Expect Expect, string? Code = null);

    [Fact]
    public void Ten_thousand_random_commands_keep_every_invariant_and_refusals_change_nothing()
    {
        var random = new Random(20_261_122);
        var state = LedgerState.Empty;
        var history = new List<LedgerEvent>();
        var retryable = new List<(LedgerCommand Command, CommandContext Context)>();
        var endOfDay = new Dictionary<DateOnly, LedgerState>();
        var refusedCodes = new Dictionary<string, int>(StringComparer.Ordinal);
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        var generator = new Generator(random);

        foreach (var profile in Customers.Select(c => LedgerHarness.Profile(c)).Append(LedgerHarness.Profile("E0", "EUR")))
        {
            var opened = LedgerRules.Handle(state, new OpenAccount(profile), generator.Context(ActorRole.Manager, Day(0)));
            state = opened.State;
            history.AddRange(opened.Events);
        }

        Assert.Equal(6, state.Accounts.Count);

        for (var i = 0; i < Commands; i++)
        {
            var today = Day(i / CommandsPerDay);
            if (i % CommandsPerDay == 0 && i > 0)
            {
                endOfDay[today.AddDays(-1)] = state;
            }

            var step = random.Next(100) < 4 && retryable.Count > 0
                ? Retry(retryable[random.Next(retryable.Count)])
                : generator.Next(state, today);
            kinds[step.Kind] = kinds.GetValueOrDefault(step.Kind) + 1;

            // Same-reference already proves an immutable state unchanged; comparing all facts too is costly, so every 4th one.
            var checkFacts = step.Expect is Expect.Refuse or Expect.NoOp && i % 4 == 0;
            var before = checkFacts ? LedgerFacts.From(state) : null;
            var outcome = LedgerRules.Handle(state, step.Command, step.Context);
            var label = $"#{i} {step.Kind} {step.Command}";

            if (outcome.Refused)
            {
                Assert.True(step.Expect is Expect.Refuse or Expect.Either, $"{label} was refused unexpectedly: {outcome.Error}");
                if (step.Code is not null)
                {
                    Assert.True(step.Code == outcome.Error!.Code, $"{label}: expected {step.Code}, got {outcome.Error}");
                }

                Assert.Empty(outcome.Events);
                Assert.Same(state, outcome.State);
                refusedCodes[outcome.Error!.Code] = refusedCodes.GetValueOrDefault(outcome.Error.Code) + 1;
            }
            else
            {
                Assert.True(step.Expect is not Expect.Refuse, $"{label} should have been refused ({step.Code}) but produced {outcome.Events.Length} events.");
                if (step.Expect == Expect.NoOp)
                {
                    Assert.True(outcome.Events.IsEmpty, $"{label}: a retry must be a no-op but produced {string.Join(", ", outcome.Events)}");
                }
                else if (!outcome.Events.IsEmpty && IsRetryable(step.Command))
                {
                    retryable.Add((step.Command, step.Context));
                }

                Assert.All(outcome.Events, e => Assert.True(e.Effective <= today, $"{label}: {e} effective after the business date"));
                state = outcome.State;
                history.AddRange(outcome.Events);
            }

            if (checkFacts)
            {
                Assert.True(SameFacts(before!, LedgerFacts.From(state)), $"{label} changed the ledger although it was refused or retried.");
            }

            if (i % 25 == 24)
            {
                var violations = InvariantChecker.Check(state);
                Assert.True(violations.IsEmpty, $"after {label}: {string.Join("; ", violations)}");
            }
        }

        Assert.Empty(InvariantChecker.Check(state));
        output.WriteLine("commands by kind: " + string.Join(", ", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));
        output.WriteLine("refusals by code: " + string.Join(", ", refusedCodes.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));
        output.WriteLine($"final: {state.Invoices.Count} invoices, {state.Payments.Count} payments, {state.UnallocatedCash.Count} unidentified cash, {state.WriteOffs.Count} write-offs, {history.Count} events");
        Assert.All(kinds, k => Assert.True(k.Value >= 10, $"command kind {k.Key} ran only {k.Value} times"));
        Assert.True(kinds.Count >= 30, $"only {kinds.Count} command kinds ran");

        // The run must actually exercise each rule, not just pass vacuously.
        foreach (var code in new[]
        {
            ErrorCodes.DuplicateInvoiceNumber, ErrorCodes.UnknownAccount, ErrorCodes.CurrencyMismatch, ErrorCodes.NonPositiveAmount,
            ErrorCodes.ExceedsOpenAmount, ErrorCodes.ExceedsPaymentUnapplied, ErrorCodes.UnknownInvoice, ErrorCodes.InvoiceCancelled,
            ErrorCodes.NotAuthorized, ErrorCodes.UnknownWriteOff, ErrorCodes.UnknownAllocation, ErrorCodes.UnknownPayment, ErrorCodes.Required,
        })
        {
            Assert.True(refusedCodes.GetValueOrDefault(code) > 0, $"no command was refused with {code}; refusals: {string.Join(", ", refusedCodes)}");
        }

        Assert.True(kinds.GetValueOrDefault("retry") > 200, "too few retries");
        Assert.True(state.Payments.Values.Count(p => p.Reversed) > 50, "too few reversals");
        Assert.True(state.WriteOffs.Values.Count(w => w.Status == WriteOffStatus.Applied && w.DecidedBy?.Id != w.RequestedBy.Id) > 20, "too few approved write-offs");
        Assert.True(state.UnallocatedCash.Values.Count(c => c.IdentifiedAs is not null) > 50, "too little identified cash");
        Assert.True(state.UnallocatedCash.Values.Count(c => c.Reversed) > 5, "too little bounced unidentified cash");

        // As-of aging rebuilt from the history equals what the ledger held at the end of those days.
        foreach (var (day, snapshot) in endOfDay.Where((_, index) => index % 20 == 0))
        {
            var report = AgingReport.AsOf(history, day, AgingPolicy.Default);
            var expected = snapshot.Invoices.Values.Where(v => v.IsOpen).OrderBy(v => v.Number, StringComparer.Ordinal)
                .Select(v => (v.Number, v.OpenAmount, AgingRules.BucketOf(v.IssueDate, v.DueDate, day, AgingPolicy.Default).Name)).ToList();
            Assert.Equal(expected, report.Items.OrderBy(v => v.InvoiceNumber, StringComparer.Ordinal).Select(v => (v.InvoiceNumber, v.OpenAmount, v.Bucket)).ToList());
            foreach (var customer in Customers)
            {
                var summary = AccountSummary.Compute(snapshot, customer, day, AgingPolicy.Default);
                Assert.Equal(summary.UnappliedCredit.Amount, report.UnappliedCreditByCustomer.GetValueOrDefault(customer)?.Amount ?? 0m);
                Assert.Equal(summary.Buckets.ToArray(), report.BucketTotals("USD", customer).ToArray());
                var rebuilt = AccountSummary.AsOf(history, customer, day, AgingPolicy.Default);
                Assert.Equal(summary with { Buckets = [] }, rebuilt with { Buckets = [] });
                Assert.Equal(summary.Buckets.ToArray(), rebuilt.Buckets.ToArray());
            }

            Assert.Equal(snapshot.UnallocatedCash.Values.Where(c => c.IsOpen).Select(c => c.CashId).Order(StringComparer.Ordinal), report.UnallocatedCash.Select(c => c.CashId));
        }
    }

    private static DateOnly Day(int n) => new DateOnly(2026, 1, 1).AddDays(n);

    private static Step Retry((LedgerCommand Command, CommandContext Context) accepted) => new("retry", accepted.Command, accepted.Context, Expect.NoOp);

    /// <summary>Commands that carry their own id, so sending them again must change nothing.</summary>
    private static bool IsRetryable(LedgerCommand command) => command is IssueInvoice or ReceivePayment or ReceiveUnidentifiedCash or IdentifyCash
        or AllocatePayment or DeallocatePayment or ReallocatePayment or ReversePayment or CreditInvoice or RequestWriteOff or ApproveWriteOff
        or RejectWriteOff or CancelInvoice;

    private static bool SameFacts(LedgerFacts a, LedgerFacts b) =>
        a.Accounts.SequenceEqual(b.Accounts) && a.Invoices.SequenceEqual(b.Invoices) && a.Payments.SequenceEqual(b.Payments)
        && a.Allocations.SequenceEqual(b.Allocations) && a.Reductions.SequenceEqual(b.Reductions) && a.UnallocatedCash.SequenceEqual(b.UnallocatedCash);

    private sealed class Generator(Random random)
    {
        private static readonly ActorRole[] Roles = [ActorRole.Collector, ActorRole.TeamLead, ActorRole.Manager];
        private int _sequence;

        public CommandContext Context(ActorRole role, DateOnly on, string reason = "random test") =>
            new(new Actor(role.ToString().ToLowerInvariant() + "-" + random.Next(3), role), new DateTimeOffset(on.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), on, reason);

        public Step Next(LedgerState state, DateOnly today)
        {
            var roll = random.Next(100);
            var context = Context(Roles[random.Next(Roles.Length)], today);
            // Derived lists are built only when a branch needs them: sorting thousands of ids per command adds up.
            List<InvoiceState>? open = null, allInvoices = null;
            List<PaymentState>? livePayments = null, withCredit = null;
            List<(PaymentState Payment, PaymentAllocation Allocation)>? activeAllocations = null;
            List<WriteOffRequest>? pending = null;
            List<UnallocatedCash>? cash = null;
            List<InvoiceState> Open() => open ??= state.Invoices.Values.Where(v => v.IsOpen).OrderBy(v => v.Number, StringComparer.Ordinal).ToList();
            List<InvoiceState> AllInvoices() => allInvoices ??= state.Invoices.Values.OrderBy(v => v.Number, StringComparer.Ordinal).ToList();
            List<PaymentState> LivePayments() => livePayments ??= state.Payments.Values.Where(p => !p.Reversed).OrderBy(p => p.Payment.PaymentId, StringComparer.Ordinal).ToList();
            List<PaymentState> WithCredit() => withCredit ??= LivePayments().Where(p => p.Unapplied.IsPositive).ToList();
            List<(PaymentState Payment, PaymentAllocation Allocation)> ActiveAllocations() => activeAllocations ??= LivePayments()
                .SelectMany(p => p.Allocations.Values.Where(a => !a.Reversed).OrderBy(a => a.AllocationId, StringComparer.Ordinal).Select(a => (Payment: p, Allocation: a))).ToList();
            List<WriteOffRequest> Pending() => pending ??= state.WriteOffs.Values.Where(w => w.Status == WriteOffStatus.Pending).OrderBy(w => w.WriteOffId, StringComparer.Ordinal).ToList();
            List<UnallocatedCash> Cash() => cash ??= state.UnallocatedCash.Values.Where(c => c.IsOpen).OrderBy(c => c.CashId, StringComparer.Ordinal).ToList();

            switch (roll)
            {
                case < 16:
                    break;
                case < 18 when state.Invoices.Count > 0:
                    var taken = Pick(AllInvoices());
                    return new Step("issue-duplicate", new IssueInvoice(taken.CustomerId, taken.Number, today, Usd(taken.Amount.Amount + 1m), PaymentTerms.Net(30)),
                        context, Expect.Refuse, ErrorCodes.DuplicateInvoiceNumber);
                case < 19:
                    return new Step("issue-unknown-account", new IssueInvoice("NOBODY", NewId("INV"), today, Usd(Amount(1, 100)), PaymentTerms.Net(30)),
                        context, Expect.Refuse, ErrorCodes.UnknownAccount);
                case < 20:
                    return new Step("issue-wrong-currency", new IssueInvoice("E0", NewId("INV"), today, Usd(Amount(1, 100)), PaymentTerms.Net(30)),
                        context, Expect.Refuse, ErrorCodes.CurrencyMismatch);
                case < 30:
                {
                    var customer = Pick(Customers);
                    var mine = Open().Where(v => v.CustomerId == customer).ToList();
                    var quoted = mine.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
                    var total = quoted.Sum(v => v.OpenAmount.Amount);
                    var amount = total > 0 ? Math.Max(0.01m, decimal.Round(total * (decimal)(0.5 + random.NextDouble() * 0.7), 2)) : Amount(1, 500);
                    return new Step("pay-with-refs", Pay(customer, amount, today, [.. quoted.Select(v => v.Number)]), context, Expect.Accept);
                }

                case < 36:
                    return new Step("pay-no-refs", Pay(Pick(Customers), Amount(1, 3_000), today, []), context, Expect.Accept);
                case < 40 when Open().Count > 0:
                {
                    var target = Pick(Open());
                    return new Step("pay-exact", Pay(target.CustomerId, target.OpenAmount.Amount, today, []), context, Expect.Accept);
                }

                case < 41:
                    return new Step("pay-non-positive", Pay(Pick(Customers), -Amount(0, 50), today, []), context, Expect.Refuse, ErrorCodes.NonPositiveAmount);
                case < 42:
                    return new Step("pay-wrong-currency", new ReceivePayment(Pick(Customers), new Payment(NewId("PAY"), new Grains.Money(Amount(1, 50), "EUR"), today, PaymentMethod.Card, [])),
                        context, Expect.Refuse, ErrorCodes.CurrencyMismatch);
                case < 46:
                    return new Step("unidentified-cash", new ReceiveUnidentifiedCash(new Payment(NewId("CASH"), Usd(Amount(1, 1_000)), today, PaymentMethod.BankTransfer,
                        Open().Count > 0 && random.Next(2) == 0 ? [Pick(Open()).Number] : [])), context, Expect.Accept);
                case < 49 when Cash().Count > 0:
                {
                    var toEuro = random.Next(8) == 0;
                    return new Step("identify-cash", new IdentifyCash(Pick(Cash()).CashId, toEuro ? "E0" : Pick(Customers)), context,
                        toEuro ? Expect.Refuse : Expect.Accept, toEuro ? ErrorCodes.CurrencyMismatch : null);
                }

                case < 55 when WithCredit().Count > 0:
                {
                    var payment = Pick(WithCredit());
                    var targets = Open().Where(v => v.CustomerId == payment.CustomerId && v.Status != InvoiceStatus.WrittenOff).ToList();
                    if (targets.Count == 0)
                    {
                        break;
                    }

                    var target = Pick(targets);
                    var most = Math.Min(payment.Unapplied.Amount, target.OpenAmount.Amount);
                    return new Step("allocate", new AllocatePayment(NewId("ALLOC"), payment.Payment.PaymentId, target.Number, Usd(Math.Max(0.01m, decimal.Round(most * (decimal)random.NextDouble(), 2)))),
                        context, Expect.Accept);
                }

                case < 57 when WithCredit().Count > 0:
                {
                    var payment = Pick(WithCredit());
                    var target = Open().FirstOrDefault(v => v.CustomerId == payment.CustomerId);
                    if (target is null || random.Next(2) == 0)
                    {
                        var anyInvoice = target ?? state.InvoicesOf(payment.CustomerId).FirstOrDefault(v => v.IsOpen);
                        if (anyInvoice is null || anyInvoice.OpenAmount <= payment.Unapplied)
                        {
                            break;
                        }

                        return new Step("allocate-beyond-payment", new AllocatePayment(NewId("ALLOC"), payment.Payment.PaymentId, anyInvoice.Number, payment.Unapplied + Usd(0.01m)),
                            context, Expect.Refuse, ErrorCodes.ExceedsPaymentUnapplied);
                    }

                    if (target.OpenAmount >= payment.Unapplied)
                    {
                        break;
                    }

                    return new Step("allocate-beyond-invoice", new AllocatePayment(NewId("ALLOC"), payment.Payment.PaymentId, target.Number, target.OpenAmount + Usd(0.01m)),
                        context, Expect.Refuse, ErrorCodes.ExceedsOpenAmount);
                }

                case < 60 when ActiveAllocations().Count > 0:
                {
                    var (payment, allocation) = Pick(ActiveAllocations());
                    return new Step("deallocate", new DeallocatePayment(payment.Payment.PaymentId, allocation.AllocationId), context, Expect.Accept);
                }

                case < 63 when ActiveAllocations().Count > 0:
                {
                    var (payment, allocation) = Pick(ActiveAllocations());
                    var targets = Open().Where(v => v.CustomerId == payment.CustomerId && v.Number != allocation.InvoiceNumber).ToList();
                    if (targets.Count == 0)
                    {
                        break;
                    }

                    var target = Pick(targets);
                    var amount = Money.Min(allocation.Amount, target.OpenAmount);
                    return new Step("reallocate", new ReallocatePayment(payment.Payment.PaymentId, allocation.AllocationId, NewId("ALLOC"), target.Number, amount), context, Expect.Accept);
                }

                case < 66 when LivePayments().Count > 0:
                    return new Step("reverse", new ReversePayment(Cash().Count > 0 && random.Next(6) == 0 ? Pick(Cash()).CashId : Pick(LivePayments()).Payment.PaymentId),
                        Context(ActorRole.System, today, "bounced"), Expect.Accept);
                case < 71 when Open().Count > 0:
                {
                    var target = Pick(Open());
                    return new Step("credit", new CreditInvoice(target.Number, NewId("CN"), Usd(Math.Max(0.01m, decimal.Round(target.OpenAmount.Amount * (decimal)random.NextDouble(), 2))), today,
                        random.Next(2) == 0 ? CreditKind.CreditNote : CreditKind.Adjustment), context, Expect.Accept);
                }

                case < 72 when Open().Count > 0:
                {
                    var target = Pick(Open());
                    return new Step("credit-too-much", new CreditInvoice(target.Number, NewId("CN"), target.OpenAmount + Usd(0.01m), today), context, Expect.Refuse, ErrorCodes.ExceedsOpenAmount);
                }

                case < 73:
                    return new Step("credit-unknown-invoice", new CreditInvoice("NO-SUCH", NewId("CN"), Usd(1m), today), context, Expect.Refuse, ErrorCodes.UnknownInvoice);
                case < 78 when Open().Count > 0:
                {
                    var target = Pick(Open());
                    var cap = random.Next(2) == 0 ? Math.Min(150m, target.OpenAmount.Amount) : target.OpenAmount.Amount;
                    return new Step("write-off-request", new RequestWriteOff(NewId("WO"), target.Number, Usd(Math.Max(0.01m, decimal.Round(cap * (decimal)random.NextDouble(), 2)))), context, Expect.Accept);
                }

                case < 82 when Pending().Count > 0:
                {
                    var request = Pick(Pending());
                    var invoice = state.Invoices[request.InvoiceNumber];
                    var authorized = WriteOffPolicy.Default.MayDecide(context.Actor.Role, request.Amount);
                    var fits = !invoice.Cancelled && request.Amount <= invoice.OpenAmount;
                    return new Step("write-off-approve", new ApproveWriteOff(request.WriteOffId), context,
                        authorized && fits ? Expect.Accept : Expect.Refuse,
                        !authorized ? ErrorCodes.NotAuthorized : fits ? null : invoice.Cancelled ? ErrorCodes.InvoiceCancelled : ErrorCodes.ExceedsOpenAmount);
                }

                case < 84 when Pending().Count > 0:
                {
                    var request = Pick(Pending());
                    var authorized = WriteOffPolicy.Default.MayDecide(context.Actor.Role, request.Amount);
                    return new Step("write-off-reject", new RejectWriteOff(request.WriteOffId), context, authorized ? Expect.Accept : Expect.Refuse, authorized ? null : ErrorCodes.NotAuthorized);
                }

                case < 87 when state.Invoices.Count > 0:
                {
                    var target = Pick(AllInvoices());
                    return target.HasActivity && !target.Cancelled
                        ? new Step("cancel-with-activity", new CancelInvoice(target.Number), context, Expect.Refuse, ErrorCodes.InvoiceHasActivity)
                        : new Step("cancel", new CancelInvoice(target.Number), context, Expect.Accept);
                }

                case < 89 when WithCredit().Count > 0:
                {
                    var payment = Pick(WithCredit());
                    var cancelled = state.InvoicesOf(payment.CustomerId).Where(v => v.Cancelled).OrderBy(v => v.Number, StringComparer.Ordinal).FirstOrDefault();
                    return cancelled is null
                        ? new Step("allocate-unknown-invoice", new AllocatePayment(NewId("ALLOC"), payment.Payment.PaymentId, "NO-SUCH", Usd(0.01m)), context, Expect.Refuse, ErrorCodes.UnknownInvoice)
                        : new Step("allocate-to-cancelled", new AllocatePayment(NewId("ALLOC"), payment.Payment.PaymentId, cancelled.Number, Usd(0.01m)), context, Expect.Refuse, ErrorCodes.InvoiceCancelled);
                }

                case < 91 when Open().Count > 0:
                {
                    var target = Pick(Open());
                    return target.Disputed
                        ? new Step("resolve-dispute", new ResolveDispute(target.Number), context, Expect.Accept)
                        : new Step("dispute", new DisputeInvoice(target.Number), context, Expect.Accept);
                }

                case < 92:
                    return new Step("no-reason", Pay(Pick(Customers), 10m, today, []), Context(ActorRole.Collector, today, " "), Expect.Refuse, ErrorCodes.Required);
                case < 93:
                    return new Step("approve-unknown", new ApproveWriteOff("NO-SUCH"), context, Expect.Refuse, ErrorCodes.UnknownWriteOff);
                case < 94 when LivePayments().Count > 0:
                    return new Step("deallocate-unknown", new DeallocatePayment(Pick(LivePayments()).Payment.PaymentId, "NO-SUCH"), context, Expect.Refuse, ErrorCodes.UnknownAllocation);
                case < 95:
                    return new Step("reverse-unknown", new ReversePayment("NO-SUCH"), context, Expect.Refuse, ErrorCodes.UnknownPayment);
                case < 96 when Open().Count > 0:
                {
                    var target = Pick(Open());
                    return new Step("raw-apply", new ApplyAllocation(target.Number, NewId("ALLOC"), "P", Usd(1m), today), context, Expect.Refuse, ErrorCodes.Invalid);
                }

                case < 97 when WithCredit().Count > 0:
                {
                    var payment = Pick(WithCredit());
                    var foreign = Open().FirstOrDefault(v => v.CustomerId != payment.CustomerId);
                    if (foreign is null)
                    {
                        break;
                    }

                    return new Step("allocate-other-account", new AllocatePayment(NewId("ALLOC"), payment.Payment.PaymentId, foreign.Number, Usd(0.01m)), context, Expect.Refuse, ErrorCodes.AccountMismatch);
                }
            }

            var customerId = Pick(Customers);
            var terms = random.Next(2) == 0 ? PaymentTerms.Net(random.Next(0, 61)) : PaymentTerms.EndOfMonthPlus(random.Next(0, 31));
            return new Step("issue", new IssueInvoice(customerId, NewId("INV"), today, Usd(Amount(1, 6_000)), terms,
                Refs: new ExternalRefs(PurchaseOrder: NewId("PO"))), context, Expect.Accept);
        }

        private ReceivePayment Pay(string customerId, decimal amount, DateOnly today, string[] refs) =>
            new(customerId, new Payment(NewId("PAY"), Usd(amount), today, (PaymentMethod)random.Next(4), [.. refs]));

        private decimal Amount(int min, int max) => random.Next(min * 100, max * 100 + 1) / 100m;

        private string NewId(string prefix) => $"{prefix}-{++_sequence:D6}";

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private static Grains.Money Usd(decimal amount) => new(amount, "USD");
    }
}
