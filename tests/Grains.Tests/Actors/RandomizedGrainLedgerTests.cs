using Xunit.Abstractions;

namespace ArActors.Grains.Tests.Actors;

/// <summary>
/// 2,000 seeded random commands (valid, invalid and retried) sent to the account and suspense grains while the clock
/// moves a day every 40 commands. The pure ledger over the whole book runs beside them as the oracle: each command must
/// be accepted or refused (same code) by both, with as many events; every 100 commands the invariant checker must find
/// nothing in the book the grains hold; at the end the grains' facts, summaries and invoice grains equal the oracle's.
/// </summary>
public sealed class RandomizedGrainLedgerTests(ITestOutputHelper output)
{
    private const int Commands = 2_000;
    private const int CommandsPerDay = 40;
    private static readonly string[] Customers = ["C0", "C1", "C2", "C3"];

    private sealed record Step(string Kind, LedgerCommand Command, CommandMeta Meta, Func<LedgerCluster, Task<CommandResult>> Send);

    [Fact]
    public async Task Two_thousand_random_commands_through_the_grains_keep_every_invariant_and_agree_with_the_pure_ledger()
    {
        var start = new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
        await using var ledger = await LedgerCluster.StartAsync(start: start, silo: o => o.CollectionScanInterval = TimeSpan.FromHours(6));
        var random = new Random(20_261_201);
        var prefix = LedgerCluster.NewId("R");
        var customers = Customers.Select(c => $"{prefix}-{c}").ToArray();
        var oracle = LedgerState.Empty;
        var retryable = new List<Step>();
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
        var sequence = 0;
        string NewId(string kind) => $"{prefix}-{kind}-{++sequence}";

        foreach (var customer in customers)
        {
            var open = new OpenAccount(LedgerCluster.Profile(customer, "UTC"));
            oracle = LedgerRules.Handle(oracle, open, Context(ledger, LedgerCluster.Manager)).State;
            LedgerCluster.Accepted(await ledger.Account(customer).OpenAccount(open, LedgerCluster.Manager));
        }

        for (var i = 0; i < Commands; i++)
        {
            if (i > 0 && i % CommandsPerDay == 0)
            {
                await ledger.Cluster.AdvanceTimeAsync(TimeSpan.FromDays(1));
            }

            var step = random.Next(100) < 5 && retryable.Count > 0 ? retryable[random.Next(retryable.Count)] with { Kind = "retry" }
                : Next(random, oracle, customers, ledger.Today("UTC"), NewId);
            kinds[step.Kind] = kinds.GetValueOrDefault(step.Kind) + 1;

            var expected = LedgerRules.Handle(oracle, step.Command, Context(ledger, step.Meta));
            var actual = await step.Send(ledger);
            var label = $"#{i} {step.Kind} {step.Command}";

            Assert.True(expected.Refused != actual.Accepted, $"{label}: oracle {(expected.Refused ? "refused " + expected.Error : "accepted")}, grain {(actual.Accepted ? "accepted" : "refused " + actual.Error)}");
            if (expected.Refused)
            {
                Assert.True(expected.Error!.Code == actual.Error!.Code, $"{label}: oracle {expected.Error}, grain {actual.Error}");
                refusals[actual.Error.Code] = refusals.GetValueOrDefault(actual.Error.Code) + 1;
            }
            else
            {
                Assert.Equal(expected.Events.Select(e => e.GetType().Name), actual.Events.Select(e => e.GetType().Name));
                oracle = expected.State;
                // Disputes toggle (dispute, resolve, dispute again), so only commands carrying their own id are retried.
                if (step.Kind != "retry" && !actual.Events.IsEmpty && step.Command is not (DisputeInvoice or ResolveDispute))
                {
                    retryable.Add(step);
                }
                else if (step.Kind == "retry")
                {
                    Assert.True(actual.Unchanged, $"{label}: a retry committed {actual.Events.Length} events");
                }
            }

            if (i % 100 == 99)
            {
                var book = await ledger.WholeLedgerAsync(customers);
                var violations = InvariantChecker.Check(book);
                Assert.True(violations.IsEmpty, $"after {label}: {string.Join("; ", violations)}");
            }
        }

        var final = await ledger.WholeLedgerAsync(customers);
        Assert.Empty(InvariantChecker.Check(final));
        Assert.Equal(LedgerFacts.From(oracle).Fingerprint(), LedgerFacts.From(final).Fingerprint());
        var today = ledger.Today("UTC");
        foreach (var customer in customers)
        {
            Assert.Equal(LedgerCluster.Describe(AccountSummary.Compute(oracle, customer, today, AgingPolicy.Default)),
                LedgerCluster.Describe(await ledger.Account(customer).GetSummary()));
        }

        foreach (var invoice in oracle.Invoices.Values)
        {
            var held = (await ledger.Invoice(invoice.CustomerId, invoice.Number).Get())!;
            Assert.Equal((invoice.Status, invoice.OpenAmount, invoice.Bucket(today, AgingPolicy.Default).Name), (held.Status, held.OpenAmount, held.AgingBucket));
        }

        output.WriteLine("commands by kind: " + string.Join(", ", kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));
        output.WriteLine("refusals by code: " + string.Join(", ", refusals.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));
        output.WriteLine($"final: {oracle.Invoices.Count} invoices, {oracle.Payments.Count} payments, {oracle.UnallocatedCash.Count} unidentified cash, {oracle.WriteOffs.Count} write-offs");

        // Not vacuous: every kind ran, and the refusals the issue names happened.
        Assert.All(kinds, k => Assert.True(k.Value >= 10, $"{k.Key} ran only {k.Value} times"));
        Assert.True(kinds.Count >= 20, $"only {kinds.Count} kinds ran");
        foreach (var code in new[] { ErrorCodes.UnknownAccount, ErrorCodes.NonPositiveAmount, ErrorCodes.CurrencyMismatch, ErrorCodes.ExceedsPaymentUnapplied,
            ErrorCodes.InvoiceCancelled, ErrorCodes.NotAuthorized, ErrorCodes.ExceedsOpenAmount, ErrorCodes.Required })
        {
            Assert.True(refusals.GetValueOrDefault(code) > 0, $"nothing was refused with {code}");
        }

        Assert.True(oracle.Payments.Values.Count(p => p.Reversed) > 10, "too few reversals");
        Assert.True(oracle.UnallocatedCash.Values.Count(c => c.IdentifiedAs is not null) > 10, "too little identified cash");
        Assert.True((await ledger.BucketMovesAsync(customers[0])).Count > 0, "no invoice changed bucket");
    }

    private static CommandContext Context(LedgerCluster ledger, CommandMeta meta) =>
        new(meta.Actor, ledger.Clock.GetUtcNow(), ledger.Today("UTC"), meta.Reason);

    private static Step Next(Random random, LedgerState state, string[] customers, DateOnly today, Func<string, string> newId)
    {
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
        decimal Amount(int min, int max) => random.Next(min * 100, max * 100 + 1) / 100m;
        var metas = new[] { LedgerCluster.Collector, LedgerCluster.TeamLead, LedgerCluster.Manager };
        var meta = Pick(metas);
        var open = state.Invoices.Values.Where(v => v.IsOpen).OrderBy(v => v.Number, StringComparer.Ordinal).ToList();
        var live = state.Payments.Values.Where(p => !p.Reversed).OrderBy(p => p.Payment.PaymentId, StringComparer.Ordinal).ToList();
        var withCredit = live.Where(p => p.Unapplied.IsPositive).ToList();
        var cash = state.UnallocatedCash.Values.Where(c => c.IsOpen).OrderBy(c => c.CashId, StringComparer.Ordinal).ToList();
        var pending = state.WriteOffs.Values.Where(w => w.Status == WriteOffStatus.Pending).OrderBy(w => w.WriteOffId, StringComparer.Ordinal).ToList();

        Step ToAccount(string kind, string customer, LedgerCommand command, CommandMeta m) => new(kind, command, m, l => command switch
        {
            IssueInvoice c => l.Account(customer).IssueInvoice(c, m),
            ReceivePayment c => l.Account(customer).ReceivePayment(c, m),
            AllocatePayment c => l.Account(customer).AllocatePayment(c, m),
            DeallocatePayment c => l.Account(customer).DeallocatePayment(c, m),
            ReallocatePayment c => l.Account(customer).ReallocatePayment(c, m),
            ReversePayment c => l.Account(customer).ReversePayment(c, m),
            CreditInvoice c => l.Account(customer).CreditInvoice(c, m),
            RequestWriteOff c => l.Account(customer).RequestWriteOff(c, m),
            ApproveWriteOff c => l.Account(customer).ApproveWriteOff(c, m),
            RejectWriteOff c => l.Account(customer).RejectWriteOff(c, m),
            CancelInvoice c => l.Account(customer).CancelInvoice(c, m),
            DisputeInvoice c => l.Account(customer).DisputeInvoice(c, m),
            ResolveDispute c => l.Account(customer).ResolveDispute(c, m),
            _ => throw new InvalidOperationException(command.ToString()),
        });
        ReceivePayment Pay(string customer, decimal amount, string currency, params string[] refs) =>
            new(customer, new Payment(newId("PAY"), new Grains.Money(amount, currency), today, PaymentMethod.BankTransfer, [.. refs]));

        switch (random.Next(100))
        {
            case < 14:
                break;
            case < 16 when open.Count > 0:
            {
                var taken = Pick(open);
                return ToAccount("issue-duplicate", taken.CustomerId, new IssueInvoice(taken.CustomerId, taken.Number, today, LedgerCluster.Usd(taken.Amount.Amount + 1m), PaymentTerms.Net(30)), meta);
            }

            case < 17:
            {
                var nobody = newId("NOBODY");
                return ToAccount("issue-unknown-account", nobody, new IssueInvoice(nobody, newId("INV"), today, LedgerCluster.Usd(5m), PaymentTerms.Net(30)), meta);
            }

            case < 27:
            {
                var customer = Pick(customers);
                var quoted = open.Where(v => v.CustomerId == customer).OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToList();
                var total = quoted.Sum(v => v.OpenAmount.Amount);
                var amount = total > 0 ? Math.Max(0.01m, decimal.Round(total * (decimal)(0.5 + random.NextDouble() * 0.7), 2)) : Amount(1, 500);
                return ToAccount("pay-with-refs", customer, Pay(customer, amount, "USD", [.. quoted.Select(v => v.Number)]), meta);
            }

            case < 32:
            {
                var customer = Pick(customers);
                return ToAccount("pay-no-refs", customer, Pay(customer, Amount(1, 3_000), "USD"), meta);
            }

            case < 34:
            {
                var customer = Pick(customers);
                return ToAccount("pay-non-positive", customer, Pay(customer, -Amount(0, 50), "USD"), meta);
            }

            case < 35:
            {
                var customer = Pick(customers);
                return ToAccount("pay-wrong-currency", customer, Pay(customer, Amount(1, 50), "EUR"), meta);
            }

            case < 39:
            {
                var command = new ReceiveUnidentifiedCash(new Payment(newId("CASH"), LedgerCluster.Usd(Amount(1, 1_000)), today, PaymentMethod.BankTransfer, []));
                return new Step("unidentified-cash", command, meta, l => l.Suspense.Receive(command, meta));
            }

            case < 43 when cash.Count > 0:
            {
                var command = new IdentifyCash(Pick(cash).CashId, random.Next(10) == 0 ? "NOBODY-" + newId("X") : Pick(customers));
                return new Step("identify-cash", command, meta, l => l.Suspense.Allocate(command, meta));
            }

            case < 44 when cash.Count > 0:
            {
                var command = new ReversePayment(Pick(cash).CashId);
                return new Step("bounce-unidentified", command, meta, l => l.Suspense.Reverse(command, meta));
            }

            case < 50 when withCredit.Count > 0:
            {
                var payment = Pick(withCredit);
                var targets = open.Where(v => v.CustomerId == payment.CustomerId).ToList();
                if (targets.Count == 0)
                {
                    break;
                }

                var target = Pick(targets);
                var over = random.Next(5) == 0;
                var amount = over ? payment.Unapplied.Amount + 0.01m
                    : Math.Max(0.01m, decimal.Round(Math.Min(payment.Unapplied.Amount, target.OpenAmount.Amount) * (decimal)random.NextDouble(), 2));
                return ToAccount(over ? "allocate-beyond-payment" : "allocate", payment.CustomerId,
                    new AllocatePayment(newId("ALLOC"), payment.Payment.PaymentId, target.Number, LedgerCluster.Usd(amount)), meta);
            }

            case < 52 when withCredit.Count > 0:
            {
                var payment = Pick(withCredit);
                var cancelled = state.InvoicesOf(payment.CustomerId).Where(v => v.Cancelled).OrderBy(v => v.Number, StringComparer.Ordinal).FirstOrDefault();
                if (cancelled is null)
                {
                    break;
                }

                return ToAccount("allocate-to-cancelled", payment.CustomerId, new AllocatePayment(newId("ALLOC"), payment.Payment.PaymentId, cancelled.Number, LedgerCluster.Usd(0.01m)), meta);
            }

            case < 56:
            {
                var allocations = live.SelectMany(p => p.Allocations.Values.Where(a => !a.Reversed).OrderBy(a => a.AllocationId, StringComparer.Ordinal).Select(a => (p, a))).ToList();
                if (allocations.Count == 0)
                {
                    break;
                }

                var (payment, allocation) = Pick(allocations);
                var targets = open.Where(v => v.CustomerId == payment.CustomerId && v.Number != allocation.InvoiceNumber).ToList();
                return targets.Count > 0 && random.Next(2) == 0
                    ? ToAccount("reallocate", payment.CustomerId, new ReallocatePayment(payment.Payment.PaymentId, allocation.AllocationId, newId("ALLOC"),
                        Pick(targets).Number, Grains.Money.Min(allocation.Amount, Pick(targets).OpenAmount)), meta)
                    : ToAccount("deallocate", payment.CustomerId, new DeallocatePayment(payment.Payment.PaymentId, allocation.AllocationId), meta);
            }

            case < 60 when live.Count > 0:
            {
                var payment = Pick(live);
                return ToAccount("reverse", payment.CustomerId, new ReversePayment(payment.Payment.PaymentId), meta with { Reason = "bounced" });
            }

            case < 65 when open.Count > 0:
            {
                var target = Pick(open);
                var tooMuch = random.Next(5) == 0;
                var amount = tooMuch ? target.OpenAmount.Amount + 0.01m : Math.Max(0.01m, decimal.Round(target.OpenAmount.Amount * (decimal)random.NextDouble(), 2));
                return ToAccount(tooMuch ? "credit-too-much" : "credit", target.CustomerId,
                    new CreditInvoice(target.Number, newId("CN"), LedgerCluster.Usd(amount), today, random.Next(2) == 0 ? CreditKind.CreditNote : CreditKind.Adjustment), meta);
            }

            case < 71 when open.Count > 0:
            {
                var target = Pick(open);
                var cap = random.Next(2) == 0 ? Math.Min(150m, target.OpenAmount.Amount) : target.OpenAmount.Amount;
                return ToAccount("write-off-request", target.CustomerId,
                    new RequestWriteOff(newId("WO"), target.Number, LedgerCluster.Usd(Math.Max(0.01m, decimal.Round(cap * (decimal)random.NextDouble(), 2)))), meta);
            }

            case < 76 when pending.Count > 0:
            {
                var request = Pick(pending);
                return random.Next(3) == 0
                    ? ToAccount("write-off-reject", request.CustomerId, new RejectWriteOff(request.WriteOffId), meta)
                    : ToAccount("write-off-approve", request.CustomerId, new ApproveWriteOff(request.WriteOffId), meta);
            }

            case < 80 when state.Invoices.Count > 0:
            {
                var target = Pick(state.Invoices.Values.OrderBy(v => v.Number, StringComparer.Ordinal).ToList());
                return ToAccount("cancel", target.CustomerId, new CancelInvoice(target.Number), meta);
            }

            case < 83 when open.Count > 0:
            {
                var disputed = open.Where(v => v.Disputed).ToList();
                if (disputed.Count > 0 && random.Next(2) == 0)
                {
                    var resolved = Pick(disputed);
                    return ToAccount("resolve-dispute", resolved.CustomerId, new ResolveDispute(resolved.Number), meta);
                }

                var target = Pick(open);
                return ToAccount("dispute", target.CustomerId, new DisputeInvoice(target.Number), meta);
            }

            case < 85:
            {
                var customer = Pick(customers);
                return ToAccount("no-reason", customer, Pay(customer, 10m, "USD"), meta with { Reason = " " });
            }
        }

        var issuer = Pick(customers);
        var terms = random.Next(2) == 0 ? PaymentTerms.Net(random.Next(0, 61)) : PaymentTerms.EndOfMonthPlus(random.Next(0, 31));
        return ToAccount("issue", issuer, new IssueInvoice(issuer, newId("INV"), today.AddDays(-random.Next(0, 90)), LedgerCluster.Usd(Amount(1, 6_000)), terms,
            Refs: new ExternalRefs(PurchaseOrder: newId("PO"))), meta);
    }
}
